import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ChildBaton } from '../helpers/child-baton.js';
import { withBatonAndBrowser } from './baton-and-browser.js';
import { logIn, newPage, visible } from './browser.js';

const KEY = 'links-api-key-000000000001';
const CONFIG = {
  accounts: [{
    id: 'links',
    apiKeys: [KEY],
    channels: [{ id: 'api', kind: 'native' }, { id: 'site', kind: 'webchat' }],
    components: [{ id: 'inbox', kind: 'desk', dialect: 'inbox' }],
    services: [{ id: 'main', channels: ['api', 'site'], rules: [{ id: 'humans', trigger: { event: 'message' }, action: { type: 'desk', desk: 'inbox' } }] }],
    agents: [{ id: 'alice', name: 'Alice', password: 'alice-password' }],
  }],
};

/** What customers send is shown for what it is: only http(s) media URLs are links, fields a visitor typed are marked unverified. */
describe('what customers send, in the inbox', () => {
  let baton: ChildBaton;
  let browser: Browser;
  withBatonAndBrowser(CONFIG, (b, br) => { baton = b; browser = br; });

  it('renders a javascript: or data: media URL as text, an https one as a link', async () => {
    const send = async (url: string, name: string) => {
      const res = await fetch(`${baton.url}/v1/channels/api/messages`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ customer: '+15550142', content: { type: 'media', media: { url, name } } }) });
      expect(res.status).toBeLessThan(300);
    };
    await send('javascript:alert(document.cookie)', 'script-link');
    await send('data:text/html,<script>alert(1)</script>', 'data-link');
    await send('https://cdn.example.com/invoice.pdf', 'invoice.pdf');

    const { page } = await newPage(browser);
    await logIn(page, baton.url, { account: 'links', agent: 'alice', password: 'alice-password' });
    await page.locator('.card').first().click();
    const timeline = page.locator('.timeline');
    await visible(timeline.locator('a.file-chip', { hasText: 'invoice.pdf' }), 'the https file as a link');
    await visible(timeline.locator('span.file-chip', { hasText: 'script-link' }), 'the javascript: one as text');
    await visible(timeline.locator('span.file-chip', { hasText: 'data-link' }), 'the data: one as text');
    expect(await page.locator('a[href^="javascript:" i], a[href^="data:" i]').count()).toBe(0);
  });

  it('marks the visitor fields a web chat visitor sent as unverified in the details panel', async () => {
    const { page } = await newPage(browser);
    await logIn(page, baton.url, { account: 'links', agent: 'alice', password: 'alice-password' });
    await page.getByLabel('Presence').selectOption('online');
    await visible(page.locator('.presence-online'), 'Alice online');
    const said = await fetch(`${baton.url}/chat/api/links/site/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-visitor-token': 'links-visitor-token-000000000000000001' }, body: JSON.stringify({ id: 'm-links-0001', text: 'I am a gold customer', visitor: { tier: 'gold' } }) });
    expect(said.status).toBe(201);
    const listed = await (await fetch(`${baton.url}/v1/conversations?limit=10`, { headers: { authorization: `Bearer ${KEY}` } })).json() as { items: { id: string; channelId: string }[] };
    const id = listed.items.find((c) => c.channelId === 'site')!.id;
    await page.goto(`${baton.url}/inbox#/c/${id}`);
    const field = page.locator('.details [data-unverified]', { hasText: 'tier' });
    await visible(field, 'the tier field in the details panel');
    expect(await field.innerText()).toContain('unverified: the visitor typed it');
  });
});
