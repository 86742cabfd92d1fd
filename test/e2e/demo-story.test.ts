import { describe, expect, it } from 'vitest';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import type { ChildBaton } from '../helpers/child-baton.js';
import { logIn, newPage, screenshot, visible } from './browser.js';
import { withBatonAndBrowser } from './baton-and-browser.js';

const DEMO_API_KEY = 'demo-api-key-0123456789';

/**
 * The first meeting with Baton, as a new user has it after `npm start` with no configuration:
 * a visitor on the chat page and an agent in the inbox, in two browser contexts, against a real
 * `baton start` process running the demo account.
 */
describe('the demo, in a browser: a visitor on the chat page and an agent in the inbox', () => {
  let baton: ChildBaton;
  let browser: Browser;
  withBatonAndBrowser(null, (b, br) => {
    baton = b;
    browser = br;
  });

  const chatOf = (page: Page): FrameLocator => page.frameLocator('iframe[data-baton-chat]');
  const say = async (chat: FrameLocator, text: string) => {
    await chat.getByLabel('Your message').fill(text);
    await chat.getByLabel('Your message').press('Enter');
  };

  it('bot, handover with a note, take, answer, reload, hand back at a flow/step, close', async () => {
    const v = await newPage(browser);
    await v.page.goto(`${baton.url}/chat`);
    const chat = chatOf(v.page);
    await say(chat, 'hello');
    await visible(chat.getByText("I'm the Baton demo bot"), 'the bot greeting');
    await chat.getByRole('button', { name: 'Opening hours' }).click();
    await visible(chat.getByText('open Monday to Friday'), 'the bot answering a quick reply');

    const a = await newPage(browser);
    await logIn(a.page, baton.url, { agent: 'agent', password: 'demo-agent-password' });
    await visible(a.page.getByText('Pick a conversation'), 'the inbox after login');
    await a.page.getByLabel('Presence').selectOption('online');
    await visible(a.page.locator('.presence-online'), 'the agent online');

    await chat.getByRole('button', { name: 'Talk to a human' }).click();
    await visible(chat.getByText('connecting you with a colleague'), 'the bot announcing the handover');

    // The conversation arrives in the queue by itself (live update), with the bot's note.
    const card = a.page.locator('.card', { hasText: 'The visitor asked for a human' });
    await visible(card, 'the handed-over conversation in the queue');
    await card.click();
    await visible(a.page.locator('.handover-note', { hasText: 'They asked the bot about opening hours' }), 'the handover note');
    const details = a.page.locator('.details');
    await visible(details.getByText('topic'), 'the context the bot passed');
    await visible(details.getByText('language'), 'the channel variables');
    await visible(a.page.locator('.timeline .from-bot', { hasText: 'open Monday to Friday' }), 'the bot part of the history');
    await a.page.getByRole('button', { name: 'Take', exact: true }).click();
    await visible(a.page.getByTestId('conversation-state').getByText('Yours'), 'the conversation assigned to the agent');
    await a.page.getByLabel('Reply').fill('Hi, I am from the support team. How can I help?');
    await a.page.getByLabel('Reply').press('Enter');
    await visible(chat.locator('.bubble.from-agent', { hasText: 'How can I help?' }), 'the agent answer at the visitor');
    expect(await chat.locator('.bubble.from-agent .bubble-author').first().textContent()).toBe('Demo Agent');

    // A reload keeps the whole history: bot part, handover, agent.
    await v.page.reload();
    const again = chatOf(v.page);
    await visible(again.locator('.bubble.from-agent', { hasText: 'How can I help?' }), 'the agent answer after a reload');
    for (const text of ['hello', 'open Monday to Friday', 'connecting you with a colleague']) await visible(again.getByText(text), `"${text}" after a reload`);

    await say(again, 'Can I get the brochure later?');
    await visible(a.page.locator('.timeline .from-customer', { hasText: 'brochure later' }), 'the visitor message arriving live in the inbox');
    await screenshot(a.page, 'inbox-conversation');

    // Hand back at a step the bot declared; the bot continues there.
    await a.page.getByRole('button', { name: 'Hand back to bot' }).click();
    await a.page.getByRole('button', { name: 'survey / rating' }).click();
    await a.page.getByRole('button', { name: 'Hand back at survey / rating' }).click();
    await visible(a.page.getByTestId('conversation-state').getByText('With bot'), 'the conversation back with the bot');
    await visible(again.getByText('How did we do today?'), 'the bot picking up at survey/rating');
    await again.getByRole('button', { name: 'Great' }).click();
    await visible(again.getByText('glad we could help'), 'the bot answering the rating');
    await screenshot(v.page, 'chat-visitor');

    await a.page.getByRole('button', { name: 'Close' }).click();
    await visible(a.page.getByTestId('conversation-state').getByText('Closed'), 'the conversation closed');
    await a.page.getByRole('tab', { name: /Closed/ }).click();
    await visible(a.page.locator('.card', { hasText: 'Visitor' }), 'the conversation under Closed');

    expect(v.problems).toEqual([]);
    expect(a.problems).toEqual([]);
    await v.context.close();
    await a.context.close();
  }, 90_000);

  it('an agent takes over a conversation the bot is having, and the bot stays quiet', async () => {
    const v = await newPage(browser);
    await v.page.goto(`${baton.url}/chat`);
    const chat = chatOf(v.page);
    await say(chat, 'what are your prices?');
    await visible(chat.getByText('Support plans start'), 'the bot answering');

    const a = await newPage(browser);
    await logIn(a.page, baton.url, { agent: 'agent', password: 'demo-agent-password' });
    await a.page.getByRole('tab', { name: /Bot/ }).click();
    const card = a.page.locator('.card', { hasText: 'With bot' }).first();
    await visible(card, 'the conversation under Bot');
    await card.click();
    await a.page.getByRole('button', { name: 'Take over from bot' }).click();
    await visible(a.page.getByTestId('conversation-state').getByText('Yours'), 'the takeover');
    await a.page.getByLabel('Reply').fill('Let me help you with a discount.');
    await a.page.getByRole('button', { name: 'Send' }).click();
    await visible(chat.getByText('Let me help you with a discount.'), 'the agent message at the visitor');
    await say(chat, 'hello?');
    await visible(a.page.locator('.timeline .from-customer', { hasText: 'hello?' }), 'the visitor message in the inbox');
    // The bot only observes now: no menu answer to "hello?".
    await new Promise((r) => setTimeout(r, 1000));
    expect(await chat.getByText("I'm the Baton demo bot").count()).toBe(0);
    await v.context.close();
    await a.context.close();
  }, 60_000);

  it('keeps a message pushed while the chat was reading its history, and shows the login form complete', async () => {
    const v = await newPage(browser);
    await v.page.goto(`${baton.url}/chat`);
    const chat = chatOf(v.page);
    await say(chat, 'what are your prices this week?');
    await visible(chat.locator('.bubble.from-bot'), 'the bot answering');
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${baton.url}/v1${path}`, { method, headers: { authorization: `Bearer ${DEMO_API_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
      expect(res.status, path).toBeLessThan(300);
      return res.json() as Promise<any>;
    };
    const conv = (await api('GET', '/conversations?limit=200')).items.find((c: { title: string }) => c.title === 'what are your prices this week?');
    // The history the takeover makes the chat read is the store before the agent's answer, and comes back after it.
    let held = 0;
    let read!: () => void;
    const snapshotTaken = new Promise<void>((r) => (read = r));
    await v.page.route('**/history', async (route) => {
      held++;
      const answer = await route.fetch();
      read();
      await new Promise((r) => setTimeout(r, 2_000));
      await route.fulfill({ response: answer });
      held--;
    });
    await api('POST', `/conversations/${conv.id}/takeover`, { by: 'inbox', agentId: 'agent' });
    await snapshotTaken;
    await api('POST', `/conversations/${conv.id}/replies`, { componentId: 'inbox', authorKind: 'agent', agentId: 'agent', text: 'A person is here now' });
    await visible(chat.getByText('A person is here now'), 'the agent\'s answer pushed to the visitor');
    await expect.poll(() => held, { timeout: 15_000 }).toBe(0);
    expect(await chat.getByText('A person is here now').count()).toBe(1);
    await v.context.close();

    // With the only account filled in from the moment the form shows, nothing is typed in twice.
    const a = await newPage(browser);
    await a.page.route('**/inbox/api/login-options', async (route) => {
      await new Promise((r) => setTimeout(r, 1_000));
      await route.continue();
    });
    await a.page.goto(`${baton.url}/inbox`);
    await visible(a.page.getByLabel('Account'), 'the login form');
    expect(await a.page.getByLabel('Account').inputValue()).toBe('demo');
    await a.context.close();
  }, 60_000);

  it('refuses a wrong password and sets no session', async () => {
    const a = await newPage(browser);
    await logIn(a.page, baton.url, { agent: 'agent', password: 'not-the-password' });
    await visible(a.page.getByRole('alert').getByText('not right'), 'the login error');
    expect(await a.context.cookies()).toEqual([]);
    await expect(a.page.getByLabel('Password').inputValue()).resolves.toBe('');
    await visible(a.page.getByRole('button', { name: 'Sign in' }), 'the form still there');
    await screenshot(a.page, 'inbox-login-failed');
    await a.context.close();
  }, 30_000);

  it('shows the admin pages: components with health, a verification that passes, channels with their addresses, the report', async () => {
    const a = await newPage(browser);
    await logIn(a.page, baton.url, { agent: 'agent', password: 'demo-agent-password' });
    await a.page.getByRole('link', { name: 'Admin' }).click();
    const components = a.page.locator('section', { has: a.page.getByRole('heading', { name: 'Components' }) });
    await visible(components.locator('tr', { hasText: 'demo-bot' }).getByText('active'), 'the demo bot, active');
    await components.locator('tr', { hasText: 'demo-bot' }).getByRole('button', { name: 'Verify' }).click();
    await visible(a.page.getByRole('status').getByText('demo-bot verified'), 'the verification result');
    await visible(a.page.locator('tr', { hasText: 'webchat' }).getByText(`${baton.url}/chat/demo/web`), 'the web chat channel with its address');
    await a.page.getByRole('combobox', { name: /^Show/ }).selectOption('delivered');
    await visible(a.page.locator('tr', { hasText: 'message.received' }).first(), 'delivered deliveries');
    await visible(a.page.getByRole('button', { name: 'Switch on' }), 'the emergency switch');
    await screenshot(a.page, 'inbox-admin');

    // The first story above handed a chat over and the agent took and answered it, today.
    const report = a.page.getByTestId('report');
    await report.scrollIntoViewIfNeeded();
    await visible(report.locator('.figures div', { hasText: 'Handed to the team' }), 'the report figures');
    expect(Number(await report.locator('.figures div', { hasText: 'Handed to the team' }).locator('dd').textContent())).toBeGreaterThanOrEqual(1);
    expect(await report.locator('.figures div', { hasText: 'Waiting time, median' }).locator('dd').textContent()).toMatch(/^\d+ (s|min)/);
    const agentRow = report.locator('tr', { hasText: 'Demo Agent' });
    await visible(agentRow, 'the demo agent in the report');
    expect(Number(await agentRow.locator('td').nth(1).textContent())).toBeGreaterThanOrEqual(1);
    await visible(report.getByText('Today counts from midnight UTC'), 'what today means');
    await screenshot(a.page, 'inbox-admin-report');
    await report.getByLabel('Period').selectOption('30d');
    await visible(report.locator('.figures div', { hasText: 'Taken' }), 'the report for the last 30 days');
    expect(a.problems).toEqual([]);
    await a.context.close();
  }, 30_000);

  it('reads well on a phone-size screen', async () => {
    const phone = { width: 390, height: 844 };
    const v = await newPage(browser, phone);
    await v.page.goto(`${baton.url}/chat`);
    await v.page.locator('[data-baton-launcher]').click();
    const chat = chatOf(v.page);
    await say(chat, 'hi');
    await visible(chat.getByText("I'm the Baton demo bot"), 'the bot greeting on a phone');
    const frame = await v.page.locator('iframe[data-baton-chat]').boundingBox();
    expect(frame?.width).toBe(phone.width);
    await screenshot(v.page, 'chat-phone');

    const a = await newPage(browser, phone);
    await logIn(a.page, baton.url, { agent: 'agent', password: 'demo-agent-password' });
    await a.page.getByRole('tab', { name: /^Open/ }).click();
    const card = a.page.locator('.card').first();
    await visible(card, 'a conversation on the phone');
    await card.click();
    await visible(a.page.getByRole('button', { name: 'Back to the queues' }), 'the back button on a phone');
    expect(await a.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    await screenshot(a.page, 'inbox-phone');
    await v.context.close();
    await a.context.close();
  }, 60_000);
});
