import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ChildBaton } from '../helpers/child-baton.js';
import { withBatonAndBrowser } from './baton-and-browser.js';
import { logIn, newPage, screenshot, visible } from './browser.js';

const ACCOUNT = {
  id: 'acme',
  name: 'Acme',
  apiKeys: ['acme-api-key-000000000000'],
  channels: [{ id: 'site', kind: 'webchat' }],
  components: [{ id: 'inbox', kind: 'desk', dialect: 'inbox' }],
  services: [{ id: 'main', channels: ['site'], rules: [{ id: 'humans', trigger: { event: 'message' }, action: { type: 'desk', desk: 'inbox' } }] }],
  agents: [{ id: 'alice', name: 'Alice', password: 'alice-password' }],
};

/**
 * A web chat only humans answer, with nobody online: the visitor leaves an email and a message
 * instead of meeting a dead end, is told where the answer will come, and the agent finds the
 * message in the queue with the email marked as typed by the visitor. With an agent online, a
 * visitor who waits is told their place in the queue.
 */
describe('the web chat when nobody is online', () => {
  let baton: ChildBaton;
  let browser: Browser;
  withBatonAndBrowser({ accounts: [ACCOUNT] }, (b, br) => {
    baton = b;
    browser = br;
  });

  it('takes an email and a message, queues them for the team, and tells a later visitor their place in the queue', async () => {
    const v = await newPage(browser);
    await v.page.goto(`${baton.url}/chat/acme/site`);
    const chat = v.page.frameLocator('iframe[data-baton-chat]');
    await visible(chat.getByLabel('Your email'), 'the offline form');
    await chat.getByLabel('Your email').fill('not-an-address');
    await chat.getByLabel('Message for the team', { exact: true }).fill('Please call me about order 4711.');
    await chat.getByRole('button', { name: 'Send to the team' }).click();
    // The browser's own check, or Baton's 400: either way nothing is sent and the form stays.
    expect(await chat.getByLabel('Your email').count()).toBe(1);
    await chat.getByLabel('Your email').fill('jo@example.com');
    await chat.getByRole('button', { name: 'Send to the team' }).click();
    await visible(chat.locator('.bubble.from-visitor', { hasText: 'order 4711' }), 'the message in the chat');
    await visible(chat.getByText('We will answer you by email at jo@example.com'), 'where the answer will come');
    expect(await chat.getByLabel('Your email').count()).toBe(0);
    await screenshot(v.page, 'chat-offline-message');

    const alice = await newPage(browser);
    await logIn(alice.page, baton.url, { account: 'acme', agent: 'alice', password: 'alice-password' });
    const card = alice.page.locator('.card', { hasText: 'order 4711' });
    await visible(card, 'the message waiting in the queue');
    await card.click();
    await visible(alice.page.locator('.details [data-unverified]', { hasText: 'jo@example.com' }), 'the email, marked as typed by the visitor');
    await alice.page.getByLabel('Presence').selectOption('online');
    await visible(alice.page.locator('.presence-online'), 'Alice online');

    // A second visitor writes while the first still waits: number 2 in the queue.
    const w = await newPage(browser);
    await w.page.goto(`${baton.url}/chat/acme/site`);
    const second = w.page.frameLocator('iframe[data-baton-chat]');
    await second.getByLabel('Your message').fill('Is anyone there?');
    await second.getByLabel('Your message').press('Enter');
    await visible(second.getByText('You are number 2 in the queue.'), 'the second visitor\'s place in the queue');
    await screenshot(w.page, 'chat-queue-position');
  });
});
