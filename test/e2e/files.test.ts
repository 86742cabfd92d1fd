import { describe, expect, it } from 'vitest';
import type { Browser, Locator } from 'playwright-core';
import type { ChildBaton } from '../helpers/child-baton.js';
import { withBatonAndBrowser } from './baton-and-browser.js';
import { pdf, png } from '../helpers/sample-files.js';
import { logIn, newPage, screenshot, visible } from './browser.js';

const ACCOUNT = {
  id: 'acme',
  name: 'Acme',
  apiKeys: ['acme-api-key-000000000000'],
  channels: [{ id: 'site', kind: 'webchat' }],
  components: [{ id: 'inbox', kind: 'desk', dialect: 'inbox' }],
  services: [{ id: 'main', channels: ['site'], rules: [{ id: 'humans', trigger: { event: 'message' }, action: { type: 'desk', desk: 'inbox' } }] }],
  agents: [{ id: 'alice', name: 'Alice', password: 'alice-password' }],
  files: { maxSize: '200KB' },
};

/** Whether an <img> finished loading with real pixels (a refused or broken file has none). */
const loaded = (img: Locator) => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0);

/**
 * A visitor's first message is a picture: the agent sees it as a thumbnail in the thread; the
 * agent answers with a PDF, which the visitor sees as a chip with its name and size, and a link
 * in text, which opens in a new tab. A file over the account's limit is refused before upload.
 */
describe('files in the web chat and the inbox', () => {
  let baton: ChildBaton;
  let browser: Browser;
  withBatonAndBrowser({ accounts: [ACCOUNT] }, (b, br) => {
    baton = b;
    browser = br;
  });

  it('a visitor attaches a PNG the agent sees as a thumbnail; the agent sends a PDF the visitor sees as a chip', async () => {
    const alice = await newPage(browser);
    await logIn(alice.page, baton.url, { account: 'acme', agent: 'alice', password: 'alice-password' });
    await alice.page.getByLabel('Presence').selectOption('online');
    await visible(alice.page.locator('.presence-online'), 'Alice online');

    const v = await newPage(browser, { width: 900, height: 760 });
    await v.page.goto(`${baton.url}/chat/acme/site`);
    const chat = v.page.frameLocator('iframe[data-baton-chat]');
    await visible(chat.getByLabel('Attach a file'), 'the attach button');

    // Too big for this account: the page says so and sends nothing.
    await chat.locator('[data-testid=attach-input]').setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.concat([png(2, 2), Buffer.alloc(300 * 1024)]) });
    await visible(chat.getByText('files can be at most 200 KB'), 'the size refused before upload');
    expect(await chat.locator('.bubble').count()).toBe(0);

    await chat.locator('[data-testid=attach-input]').setInputFiles({ name: 'broken-lamp.png', mimeType: 'image/png', buffer: png(160, 120, [230, 120, 40]) });
    const own = chat.locator('.bubble.from-visitor [data-testid=file-thumb] img');
    await visible(own, 'the visitor\'s picture in the chat');
    await expect.poll(() => loaded(own)).toBe(true);

    const card = alice.page.locator('.card').first();
    await visible(card, 'the conversation in the queue');
    await card.click();
    const thumb = alice.page.locator('.timeline [data-testid=file-thumb]');
    await visible(thumb, 'the thumbnail in the thread');
    await expect.poll(() => loaded(thumb.locator('img'))).toBe(true);
    expect(await thumb.getAttribute('target')).toBe('_blank');
    expect(await thumb.getAttribute('rel')).toBe('noopener noreferrer');
    await alice.page.getByRole('button', { name: 'Take', exact: true }).click();
    await visible(alice.page.getByLabel('Attach a file'), 'the attach button in the reply box');
    await screenshot(alice.page, 'inbox-file-thumbnail');

    await alice.page.locator('[data-testid=attach-input]').setInputFiles({ name: 'Repair guide.pdf', mimeType: 'application/pdf', buffer: pdf() });
    await visible(alice.page.locator('.timeline .from-agent [data-testid=file-chip]', { hasText: 'Repair guide.pdf' }), 'the PDF in the agent\'s thread');
    await alice.page.getByLabel('Reply').fill('The guide is also at https://example.com/guide.');
    await alice.page.getByLabel('Reply').press('Enter');

    const chip = chat.locator('.bubble.from-agent [data-testid=file-chip]');
    await visible(chip, 'the PDF chip in the chat');
    expect(await chip.innerText()).toMatch(/Repair guide\.pdf\s*\d+ bytes|Repair guide\.pdf\s*\d+ KB/);
    const link = chat.locator('.bubble.from-agent a[href="https://example.com/guide"]');
    await visible(link, 'the link in the agent\'s text');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await link.getAttribute('target')).toBe('_blank');
    await screenshot(v.page, 'chat-files');

    // The chip's file is the PDF itself, served as an attachment.
    const href = (await chip.getAttribute('href'))!;
    const got = await fetch(href);
    expect(got.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(Buffer.from(await got.arrayBuffer()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect([...v.problems, ...alice.problems]).toEqual([]);
  }, 90_000);
});
