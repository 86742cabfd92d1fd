import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ChildBaton } from '../helpers/child-baton.js';
import { withBatonAndBrowser } from './baton-and-browser.js';
import { logIn, newPage, screenshot, visible } from './browser.js';

const deskOnly = (id: string, agent: { id: string; password: string }) => ({
  id,
  name: id === 'acme' ? 'Acme' : 'Globex',
  apiKeys: [`${id}-api-key-000000000000`],
  channels: [{ id: 'site', kind: 'webchat' }],
  components: [{ id: 'inbox', kind: 'desk', dialect: 'inbox' }],
  services: [{ id: 'main', channels: ['site'], rules: [{ id: 'humans', trigger: { event: 'message' }, action: { type: 'desk', desk: 'inbox' } }] }],
  agents: [{ id: agent.id, name: agent.id === 'alice' ? 'Alice' : 'Bob', password: agent.password }],
});

/**
 * Two accounts on one Baton, each with a web chat that only humans answer: the chat says it is
 * offline until an agent of its account is online, and an agent never sees the other account's
 * conversations, not in the queues, not by id.
 */
describe('two accounts in the inbox, and a web chat with no bot', () => {
  let baton: ChildBaton;
  let browser: Browser;
  withBatonAndBrowser({ accounts: [deskOnly('acme', { id: 'alice', password: 'alice-password' }), deskOnly('globex', { id: 'bob', password: 'bob-password-1' })] }, (b, br) => {
    baton = b;
    browser = br;
  });

  it('the chat is offline until an agent is online; the other account\'s agent cannot see the conversation', async () => {
    const v = await newPage(browser);
    await v.page.goto(`${baton.url}/chat/acme/site`);
    await visible(v.page.locator('[data-baton-launcher]', { hasText: "We're offline" }), 'the launcher saying the chat is offline');
    const chat = v.page.frameLocator('iframe[data-baton-chat]');
    await visible(chat.getByText('Nobody is available to chat right now'), 'the offline notice in the chat');
    expect(await chat.getByLabel('Your message').isDisabled()).toBe(true);
    await screenshot(v.page, 'chat-offline');

    const alice = await newPage(browser);
    await logIn(alice.page, baton.url, { account: 'acme', agent: 'alice', password: 'alice-password' });
    await alice.page.getByLabel('Presence').selectOption('online');
    await visible(alice.page.locator('.presence-online'), 'Alice online');

    await v.page.reload();
    await visible(v.page.locator('[data-baton-launcher]', { hasText: 'Chat with us' }), 'the launcher once an agent is online');
    const online = v.page.frameLocator('iframe[data-baton-chat]');
    await online.getByLabel('Your message').fill('Is my order shipped?');
    await online.getByLabel('Your message').press('Enter');
    const card = alice.page.locator('.card', { hasText: 'Waiting' });
    await visible(card, 'the visitor waiting in Alice\'s queue');
    await card.click();
    await visible(alice.page.locator('.timeline', { hasText: 'Is my order shipped?' }), 'the message in Alice\'s inbox');
    const conversationId = alice.page.url().split('#/c/')[1]!;
    expect(conversationId).toMatch(/^[0-9a-f-]{36}$/);

    const bob = await newPage(browser);
    await logIn(bob.page, baton.url, { account: 'globex', agent: 'bob', password: 'bob-password-1' });
    await visible(bob.page.getByText('Pick a conversation'), 'Bob\'s inbox');
    await bob.page.getByRole('tab', { name: /^Open/ }).click();
    await visible(bob.page.getByText('Nothing here.'), 'Bob\'s empty list');
    expect(await bob.page.locator('.card').count()).toBe(0);
    await bob.page.goto(`${baton.url}/inbox#/c/${conversationId}`);
    await visible(bob.page.getByRole('heading', { name: 'Conversation not found' }), 'Acme\'s conversation refused to Bob');
    const direct = await bob.page.evaluate(async (id) => (await fetch(`/inbox/api/conversations/${id}`)).status, conversationId);
    expect(direct).toBe(404);
    const csrf = await bob.page.evaluate(async () => ((await (await fetch('/inbox/api/me')).json()) as { csrfToken: string }).csrfToken);
    const reply = await bob.page.evaluate(async ([id, token]) => (await fetch(`/inbox/api/conversations/${id}/reply`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': token! }, body: JSON.stringify({ text: 'hi' }) })).status, [conversationId, csrf]);
    expect(reply).toBe(404);
    await v.context.close();
    await alice.context.close();
    await bob.context.close();
  }, 90_000);
});
