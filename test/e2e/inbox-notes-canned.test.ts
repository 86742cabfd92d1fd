import { describe, expect, it } from 'vitest';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import type { ChildBaton } from '../helpers/child-baton.js';
import { newPage, screenshot, visible } from './browser.js';
import { ALEX, SAM, signIn } from './two-agent-desk.js';
import { withBatonAndBrowser } from './baton-and-browser.js';

/** One account whose web chat goes straight to the humans' queue, with two agents. */
const WEB_DESK = {
  accounts: [{
    id: 'acme',
    name: 'Acme',
    apiKeys: ['acme-api-key-0000000000000'],
    channels: [{ id: 'web', kind: 'webchat', address: 'acme' }],
    components: [{ id: 'inbox', kind: 'desk', dialect: 'inbox' }],
    services: [{ id: 'main', channels: ['web'], rules: [{ id: 'humans', trigger: { event: 'message' }, action: { type: 'desk', desk: 'inbox' } }] }],
    agents: [SAM, ALEX].map((a) => ({ id: a.id, name: a.name, password: a.password })),
  }],
};

const chatOf = (page: Page): FrameLocator => page.frameLocator('iframe[data-baton-chat]');

/**
 * In Chromium against a real `baton start`: a canned answer typed as `/hello`, filtered as it is
 * typed and inserted with the visitor's and agent's names, reaches the visitor; a private note is
 * shown to the other agent and never to the visitor, whose chat gets the reply after it; an agent
 * who does not hold the conversation has no reply box but may leave a note, which the holder sees live.
 */
describe('canned answers and private notes', () => {
  let baton: ChildBaton;
  let browser: Browser;
  withBatonAndBrowser(WEB_DESK, (b, br) => {
    baton = b;
    browser = br;
  });

  it('inserts a canned answer with its variables; a note reaches the other agent and not the visitor', async () => {
    const sam = await newPage(browser);
    const alex = await newPage(browser);
    await signIn(sam.page, baton.url, SAM);
    await signIn(alex.page, baton.url, ALEX);
    // The web chat is open for visitors while an agent is online.
    await sam.page.getByLabel('Presence').selectOption('online');
    await visible(sam.page.locator('.presence-online'), 'Sam online');

    const v = await newPage(browser);
    await v.page.goto(`${baton.url}/chat`);
    const chat = chatOf(v.page);
    await chat.getByLabel('Your message').fill('My parcel is late');
    await chat.getByLabel('Your message').press('Enter');
    const card = sam.page.locator('.card', { hasText: 'My parcel is late' });
    await visible(card, 'the visitor in the queue');
    const visitor = (await card.locator('.card-name').innerText()).trim();
    const id = (await card.getAttribute('data-conversation'))!;
    await card.click();
    await sam.page.getByRole('button', { name: 'Take', exact: true }).click();
    await visible(sam.page.getByTestId('conversation-state').getByText('Yours'), 'the conversation taken');

    // `/` opens the list, typing filters it, Enter inserts the answer with the names filled in.
    const reply = sam.page.getByLabel('Reply');
    await reply.click();
    await reply.pressSequentially('/');
    const menu = sam.page.getByRole('listbox', { name: 'Canned answers' });
    await visible(menu, 'the canned answers');
    expect(await menu.getByRole('option').count()).toBeGreaterThan(1);
    await reply.pressSequentially('hel');
    await expect.poll(() => menu.getByRole('option').allInnerTexts()).toEqual([expect.stringContaining('/hello')]);
    await screenshot(sam.page, 'inbox-canned-menu');
    await reply.press('Enter');
    expect(await menu.count()).toBe(0);
    const inserted = `Hello ${visitor}, this is Sam. How can I help you?`;
    expect(await reply.inputValue()).toBe(inserted);
    await reply.press('Enter');
    await visible(chat.locator('.bubble.from-agent', { hasText: inserted }), 'the canned answer at the visitor');

    // A private note: distinct in both agents' timelines, in nothing the visitor sees.
    await sam.page.getByRole('button', { name: 'Private note' }).click();
    await sam.page.getByLabel('Private note').fill('Reseller account: check contract 42 before refunding');
    await sam.page.getByLabel('Private note').press('Enter');
    await visible(sam.page.getByTestId('private-note').getByText('check contract 42'), 'the note at its author');
    await alex.page.getByRole('tab', { name: /Open/ }).click();
    await alex.page.locator(`.card[data-conversation="${id}"]`).click();
    const alexNote = alex.page.getByTestId('private-note');
    await visible(alexNote.getByText('check contract 42'), 'the note at the other agent');
    expect(await alexNote.locator('.msg-author').innerText()).toBe('Private note · Sam');
    expect(await alex.page.locator('.timeline .msg', { hasText: 'contract 42' }).count()).toBe(0);
    await screenshot(alex.page, 'inbox-private-note');

    // Alex does not hold it: no reply box, but a note for Sam, which reaches Sam's page live.
    expect(await alex.page.getByLabel('Reply').count()).toBe(0);
    await alex.page.getByLabel('Private note').fill('Sam, they also phoned about this yesterday');
    await alex.page.getByRole('button', { name: 'Add note' }).click();
    await visible(sam.page.getByTestId('private-note').filter({ hasText: 'phoned about this' }), 'Alex\'s note live at Sam');
    expect(await sam.page.getByTestId('private-note').filter({ hasText: 'phoned about this' }).locator('.msg-author').innerText()).toBe('Private note · Alex');
    await screenshot(sam.page, 'inbox-private-notes-both');

    // The visitor's chat gets Sam's next reply, and the note is not there before it, nor after a reload.
    // Sam's own canned answer, added in the editor, kept in the browser across a reload.
    await sam.page.getByRole('button', { name: 'Reply', exact: true }).click();
    await sam.page.getByRole('button', { name: 'Canned answers…' }).click();
    const editor = sam.page.getByLabel(/Your canned answers/);
    await editor.fill(`${await editor.inputValue()}\n/refund Your refund is on its way, {{visitor.name}}. {{agent.name}}`);
    await sam.page.getByRole('button', { name: 'Save' }).click();
    await sam.page.reload();
    const box = sam.page.getByLabel('Reply');
    await visible(box, 'the reply box after a reload');
    await box.click();
    await box.pressSequentially('/zzz');
    await visible(menu.getByText('No canned answer matches'), 'the list saying nothing matches');
    await box.press('Escape');
    expect(await menu.count()).toBe(0);
    await box.fill('');
    await box.pressSequentially('/ref');
    await expect.poll(() => menu.getByRole('option').allInnerTexts()).toEqual([expect.stringContaining('/refund')]);
    await box.press('Enter');
    expect(await box.inputValue()).toBe(`Your refund is on its way, ${visitor}. Sam`);
    await box.press('Enter');
    await visible(chat.locator('.bubble.from-agent', { hasText: 'refund is on its way' }), 'the reply after the note at the visitor');
    expect(await chat.getByText('contract 42').count()).toBe(0);
    expect(await chat.getByText('phoned about this').count()).toBe(0);
    await v.page.reload();
    const again = chatOf(v.page);
    await visible(again.locator('.bubble.from-agent', { hasText: 'refund is on its way' }), 'the history after a reload');
    expect(await again.locator('body').innerText()).not.toContain('contract 42');
    expect(await again.locator('body').innerText()).not.toContain('phoned about this');
    await screenshot(v.page, 'chat-without-note');
    expect([...sam.problems, ...alex.problems, ...v.problems]).toEqual([]);
  }, 90_000);
});
