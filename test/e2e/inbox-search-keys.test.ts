import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { callBaton, type ChildBaton } from '../helpers/child-baton.js';
import { loginAgent } from '../helpers/inbox-client.js';
import { newPage, quietFor, screenshot, visible } from './browser.js';
import { withBatonAndBrowser } from './baton-and-browser.js';
import { ALEX, API_KEY, SAM, signIn } from './two-agent-desk.js';

/** The two-agent desk with a second API channel, so one customer can have two conversations, and a web chat. */
const DESK = {
  accounts: [{
    id: 'acme',
    name: 'Acme',
    apiKeys: [API_KEY],
    channels: [{ id: 'api', kind: 'native' }, { id: 'sms', kind: 'native' }, { id: 'site', kind: 'webchat' }],
    components: [{ id: 'inbox', kind: 'desk', dialect: 'inbox' }],
    services: [{ id: 'main', channels: ['api', 'sms', 'site'], rules: [{ id: 'humans', trigger: { event: 'message' }, action: { type: 'desk', desk: 'inbox' } }] }],
    agents: [SAM, ALEX].map((a) => ({ id: a.id, name: a.name, password: a.password })),
  }],
};

async function writes(url: string, channel: string, customer: string, text: string, visitor?: Record<string, string>): Promise<string> {
  const res = await callBaton(url, API_KEY, 'POST', `/v1/channels/${channel}/messages`, { customer, text, ...(visitor ? { visitor } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  return res.body.conversation.id as string;
}

const card = (page: Page, id: string) => page.locator(`.queues .card[data-conversation="${id}"]`);
const selected = (page: Page) => page.locator('.queues .card[aria-current="true"]').getAttribute('data-conversation');
const focusedLabel = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.tagName ?? null);

describe('finding conversations and working from the keyboard', () => {
  let baton: ChildBaton;
  let browser: Browser;
  withBatonAndBrowser(DESK, (b, br) => {
    baton = b;
    browser = br;
  });

  it('searches by name, email, customer id and text, filters by assignee and status, and opens the visitor\'s past conversations', async () => {
    const ada = { name: 'Ada Lovelace', email: 'ada@example.com' };
    const parcel = await writes(baton.url, 'api', 'c-ada', 'Where is my parcel?', ada);
    const again = await writes(baton.url, 'sms', 'c-ada', 'Me again, from my phone', ada);
    const refund = await writes(baton.url, 'api', 'c-bob', 'I want a refund for order 42');
    const alexHttp = await loginAgent(baton.url, 'acme', ALEX.id, ALEX.password);
    expect((await alexHttp.call('POST', `/conversations/${refund}/take`, {})).status).toBe(200);

    const sam = await newPage(browser);
    await signIn(sam.page, baton.url, SAM);
    const box = sam.page.getByLabel('Search conversations');
    const results = sam.page.getByLabel('Search results');

    await box.fill('lovelace');
    await visible(results.locator(`[data-conversation="${parcel}"]`), 'Ada\'s first conversation found by name');
    await visible(results.locator(`[data-conversation="${again}"]`), 'Ada\'s second conversation found by name');
    await visible(results.getByTestId('match').getByText('Ada Lovelace').first(), 'what matched, under the card');
    expect(await results.locator('[data-conversation]').count()).toBe(2);
    await screenshot(sam.page, 'inbox-search-name');
    // The results follow what happens: Alex takes one, and its card says so.
    expect((await alexHttp.call('POST', `/conversations/${again}/take`, {})).status).toBe(200);
    await visible(results.locator(`[data-conversation="${again}"]`).getByText('With Alex'), 'the result updated live');

    await box.fill('ADA@EXAMPLE');
    await visible(results.getByTestId('match').getByText('ada@example.com').first(), 'the email match');
    await box.fill('c-bob');
    await visible(results.locator(`[data-conversation="${refund}"]`).getByText('Customer id: c-bob'), 'the customer id match');
    await box.fill('refund for order');
    await visible(results.locator(`[data-conversation="${refund}"]`).getByText('I want a refund for order 42'), 'the message that matched');
    expect(await results.locator('[data-conversation]').count()).toBe(1);
    await screenshot(sam.page, 'inbox-search-text');
    await box.fill('nothing like this');
    await visible(sam.page.getByTestId('search-status').getByText('No conversation matches.'), 'an empty search said so');

    // Filters, with no text: who holds it, and its status.
    await box.fill('');
    await sam.page.getByLabel('Assignee').selectOption(ALEX.id);
    await visible(results.locator(`[data-conversation="${refund}"]`), 'Alex\'s conversation under the Alex filter');
    await visible(results.locator(`[data-conversation="${again}"]`), 'Alex\'s other conversation under the Alex filter');
    await expect.poll(() => results.locator('[data-conversation]').count()).toBe(2);
    await sam.page.getByLabel('Assignee').selectOption('unassigned');
    await visible(results.locator(`[data-conversation="${parcel}"]`), 'the unassigned conversation');
    await expect.poll(() => results.locator('[data-conversation]').count()).toBe(1);
    await sam.page.getByLabel('Status').selectOption('closed');
    await visible(sam.page.getByTestId('search-status').getByText('No conversation matches.'), 'no closed conversation yet');
    await screenshot(sam.page, 'inbox-search-filters');
    await sam.page.getByRole('button', { name: 'Clear' }).click();
    await visible(sam.page.getByRole('tab', { name: /Queue/ }), 'the queues back after Clear');

    // The visitor's past conversations, in the details panel, each one a click away.
    await card(sam.page, parcel).click();
    const past = sam.page.getByLabel('Past conversations');
    await visible(past.locator(`[data-past="${again}"]`).getByText('Me again, from my phone'), 'the other conversation of the same customer');
    await visible(sam.page.getByTestId('day').getByText('Today'), 'the day over today\'s messages');
    await screenshot(sam.page, 'inbox-past-conversations');
    await past.locator(`[data-past="${again}"]`).click();
    await visible(sam.page.locator('.timeline').getByText('Me again, from my phone'), 'the past conversation opened');
    expect(sam.page.url()).toContain(`#/c/${encodeURIComponent(again)}`);
    await visible(past.locator(`[data-past="${parcel}"]`), 'and from there, the first one');

    // A day later, the same messages are "Yesterday".
    await sam.page.clock.setFixedTime(new Date(Date.now() + 86_400_000));
    await sam.page.reload();
    await visible(sam.page.getByTestId('day').getByText('Yesterday'), 'yesterday\'s messages under "Yesterday"');
    expect(await sam.page.getByTestId('day').getByText('Today').count()).toBe(0);
    await screenshot(sam.page, 'inbox-day-yesterday');
    expect(sam.problems).toEqual([]);
    await sam.context.close();
  }, 120_000);

  it('moves, takes, replies and closes from the keyboard, never while the agent types, and lists the keys under ?', async () => {
    const first = await writes(baton.url, 'api', 'c-key-1', 'First in line');
    const second = await writes(baton.url, 'api', 'c-key-2', 'Second in line');
    const sam = await newPage(browser);
    await signIn(sam.page, baton.url, SAM);
    const { page } = sam;
    await visible(card(page, first), 'the first conversation in the queue');
    await visible(card(page, second), 'the second conversation in the queue');
    const order = await page.locator('.queues .card[data-conversation]').evaluateAll((els) => els.map((e) => e.getAttribute('data-conversation')));

    await page.keyboard.press('j');
    await expect.poll(() => selected(page)).toBe(order[0]);
    await page.keyboard.press('j');
    await expect.poll(() => selected(page)).toBe(order[1]);
    await page.keyboard.press('k');
    await expect.poll(() => selected(page)).toBe(order[0]);
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => selected(page)).toBe(order[1]);
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => selected(page)).toBe(order[0]);
    const id = order[0]!;
    await visible(page.getByRole('button', { name: 'Take', exact: true }), 'the take button');

    // Take: the conversation is the agent's, and the reply box has the focus.
    await page.keyboard.press('t');
    await visible(page.getByTestId('conversation-state').getByText('Yours'), 'the conversation taken by t');
    await expect.poll(() => focusedLabel(page)).toBe('Reply');

    // Typing is text, not commands: j, k, c, t and ? stay in the box.
    await page.keyboard.type('just checking ?ckt');
    expect(await page.getByLabel('Reply').inputValue()).toBe('just checking ?ckt');
    expect(page.url()).toContain(`#/c/${encodeURIComponent(id)}`);
    expect(await page.locator('dialog[open]').count()).toBe(0);
    await page.getByLabel('Reply').press('Enter');
    await visible(page.locator('.timeline .from-agent', { hasText: 'just checking ?ckt' }), 'the reply sent');
    await page.getByLabel('Reply').blur();

    // r comes back to the reply box.
    await page.keyboard.press('r');
    await expect.poll(() => focusedLabel(page)).toBe('Reply');
    await page.getByLabel('Reply').blur();

    // ? lists the keys; Escape closes the list.
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await visible(help, 'the shortcut list');
    for (const what of ['Next conversation in the list', 'Take the conversation', 'Close the conversation', 'Write a reply', 'Search conversations']) await visible(help.getByText(what), `"${what}" in the list`);
    await screenshot(page, 'inbox-shortcuts');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });

    // / goes to the search box, where a j is a letter.
    await page.keyboard.press('/');
    await expect.poll(() => focusedLabel(page)).toBe('Search conversations');
    await page.keyboard.type('jk');
    expect(await page.getByLabel('Search conversations').inputValue()).toBe('jk');
    await page.getByLabel('Search conversations').press('Escape');
    expect(await page.getByLabel('Search conversations').inputValue()).toBe('');

    // c closes; the thread says so.
    await page.keyboard.press('c');
    await visible(page.getByTestId('closed-banner').getByText('Conversation closed'), 'the closed state in the thread');
    await visible(page.getByTestId('conversation-state').getByText('Closed'), 'the closed badge');
    expect(await page.getByLabel('Reply').isDisabled()).toBe(true);
    await screenshot(page, 'inbox-closed-thread');
    expect(sam.problems).toEqual([]);
    await sam.context.close();
  }, 120_000);

  it('tells the visitor which agent joined, in the chat\'s header', async () => {
    const sam = await newPage(browser);
    await signIn(sam.page, baton.url, SAM);
    await sam.page.getByLabel('Presence').selectOption('online');
    const visitor = await newPage(browser);
    await visitor.page.goto(`${baton.url}/chat/acme/site`);
    const chat = visitor.page.frameLocator('iframe[data-baton-chat]');
    await visible(chat.getByTestId('chat-status').getByText('a person will answer'), 'the chat open with an agent online');
    await chat.getByLabel('Your message').fill('Hello, anyone there?');
    await chat.getByLabel('Your message').press('Enter');
    await visible(chat.locator('.bubble.from-visitor:not(.pending)', { hasText: 'Hello, anyone there?' }), 'the visitor\'s message sent');
    expect(await chat.getByTestId('chat-joined').count()).toBe(0);

    const waiting = sam.page.locator('.queues .card', { hasText: 'Hello, anyone there?' });
    await visible(waiting, 'the visitor in the queue');
    await waiting.click();
    await visible(sam.page.getByRole('button', { name: 'Take', exact: true }), 'the take button');
    await sam.page.keyboard.press('t');
    await visible(sam.page.getByTestId('conversation-state').getByText('Yours'), 'the chat taken');
    await visible(chat.getByTestId('chat-joined').getByText('Sam joined the chat'), 'the agent\'s name in the chat header');
    await visible(chat.getByTestId('chat-status').getByText('a person is answering you'), 'the header saying a person answers');
    await screenshot(visitor.page, 'widget-agent-joined');
    await sam.page.keyboard.type('Hi, Sam here.');
    await sam.page.keyboard.press('Enter');
    await visible(chat.getByText('Hi, Sam here.'), 'the answer at the visitor');

    // The reply box takes the focus back once the answer is sent: leave it only after that.
    await quietFor(sam.page, '/inbox/api/');
    await expect.poll(async () => {
      await sam.page.getByLabel('Reply').blur();
      return focusedLabel(sam.page);
    }).not.toBe('Reply');
    await sam.page.keyboard.press('c');
    await visible(sam.page.getByTestId('closed-banner'), 'the closed state in the inbox');
    await chat.getByTestId('chat-joined').waitFor({ state: 'hidden' });
    expect([...sam.problems, ...visitor.problems]).toEqual([]);
    await sam.context.close();
    await visitor.context.close();
  }, 120_000);
});
