import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ChildBaton } from '../helpers/child-baton.js';
import { newPage, screenshot, visible } from './browser.js';
import { withBatonAndBrowser } from './baton-and-browser.js';
import { API_KEY, SAM, signIn } from './two-agent-desk.js';

/** A web chat straight to the humans, and one agent. */
const DESK = {
  accounts: [{
    id: 'acme',
    name: 'Acme',
    apiKeys: [API_KEY],
    channels: [{ id: 'site', kind: 'webchat' }],
    components: [{ id: 'inbox', kind: 'desk', dialect: 'inbox' }],
    services: [{ id: 'main', channels: ['site'], rules: [{ id: 'humans', trigger: { event: 'message' }, action: { type: 'desk', desk: 'inbox' } }] }],
    agents: [{ id: SAM.id, name: SAM.name, password: SAM.password }],
  }],
};

/** Counts the beeps the widget plays, by the oscillators it starts (the sound itself goes to a headless nowhere). */
async function countBeeps(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { batonBeeps: number };
    w.batonBeeps = 0;
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (...args: Parameters<OscillatorNode['start']>) {
      w.batonBeeps++;
      return start.apply(this, args);
    };
  });
}
const beeps = (page: Page) => page.evaluate(() => (window as unknown as { batonBeeps: number }).batonBeeps);

/**
 * The web chat and the inbox, live: typing shows both ways (never from a private note), answers
 * that come while the widget is closed are counted on its launcher, a closed conversation says so
 * in the chat, and the agent sees "Read" once the visitor has the answer in sight.
 */
describe('typing, unread answers, the closed state and read receipts between the widget and the inbox', () => {
  let baton: ChildBaton;
  let browser: Browser;
  withBatonAndBrowser(DESK, (b, br) => {
    baton = b;
    browser = br;
  });

  it('shows typing both ways, "Read" under the answer, the unread count on the closed launcher, and the closed conversation', async () => {
    const sam = await newPage(browser);
    await signIn(sam.page, baton.url, SAM);
    await sam.page.getByLabel('Presence').selectOption('online');
    const typingCalls: string[] = [];
    sam.page.on('request', (r) => {
      if (r.url().endsWith('/typing')) typingCalls.push(r.url());
    });

    const visitor = await newPage(browser);
    const opens: number[] = [];
    visitor.page.on('response', (r) => {
      if (r.url().endsWith('/opened') && r.request().method() === 'POST') opens.push(r.status());
    });
    await countBeeps(visitor.page);
    await visitor.page.goto(`${baton.url}/chat/acme/site`);
    const chat = visitor.page.frameLocator('iframe[data-baton-chat]');
    await visible(chat.getByTestId('chat-status').getByText('a person will answer'), 'the chat open with an agent online');
    await chat.getByLabel('Your message').fill('Hello, I need help');
    await chat.getByLabel('Your message').press('Enter');
    await visible(chat.locator('.bubble.from-visitor:not(.pending)', { hasText: 'Hello, I need help' }), 'the visitor\'s message sent');

    const card = sam.page.locator('.queues .card', { hasText: 'Hello, I need help' });
    await visible(card, 'the visitor in the queue');
    await card.click();
    await sam.page.getByRole('button', { name: 'Take', exact: true }).click();
    await visible(sam.page.getByTestId('conversation-state').getByText('Yours'), 'the chat taken');
    const visitorName = (await sam.page.locator('.conv-title h2').innerText()).trim();

    // The visitor types: the agent's open conversation says so, and stops saying so when the message comes.
    await chat.getByLabel('Your message').pressSequentially('It is about my order', { delay: 20 });
    await visible(sam.page.getByTestId('visitor-typing').getByText(`${visitorName} is typing…`), 'the visitor typing, in the inbox');
    await screenshot(sam.page, 'inbox-visitor-typing');
    await chat.getByLabel('Your message').press('Enter');
    await visible(sam.page.locator('.msg.from-customer', { hasText: 'It is about my order' }), 'the visitor\'s message in the inbox');
    await sam.page.getByTestId('visitor-typing').waitFor({ state: 'hidden' });

    // A private note tells the visitor nothing: not one typing call while it is written.
    await sam.page.getByRole('button', { name: 'Private note' }).click();
    await sam.page.getByLabel('Private note').pressSequentially('Check the order first', { delay: 20 });
    await sam.page.getByLabel('Private note').press('Enter');
    await visible(sam.page.getByTestId('private-note').getByText('Check the order first'), 'the note added');
    expect(typingCalls).toEqual([]);

    // The agent types a reply: the visitor sees who, until the answer is there.
    await sam.page.getByRole('button', { name: 'Reply', exact: true }).click();
    await sam.page.getByLabel('Reply').pressSequentially('Let me look at your order', { delay: 20 });
    await visible(chat.getByTestId('chat-typing').getByText('Sam is typing…'), 'the agent typing, in the chat');
    expect(typingCalls.length).toBeGreaterThan(0);
    await screenshot(visitor.page, 'widget-agent-typing');
    await sam.page.getByLabel('Reply').press('Enter');
    await visible(chat.locator('.bubble.from-agent', { hasText: 'Let me look at your order' }), 'the answer in the chat');
    await chat.getByTestId('chat-typing').waitFor({ state: 'hidden' });

    // The chat is open and in view: the answer is reported read, and the inbox says so under it.
    const answer = sam.page.locator('.msg.from-agent', { hasText: 'Let me look at your order' });
    await visible(answer.getByTestId('read-receipt').getByText('Read'), '"Read" under the answer');
    await screenshot(sam.page, 'inbox-read-receipt');

    // The visitor closes the widget; two answers come: the launcher counts them, with a beep each.
    const launcher = visitor.page.locator('[data-baton-launcher]');
    await launcher.click();
    await chat.getByLabel('Your message').waitFor({ state: 'hidden' });
    expect(await visitor.page.locator('[data-baton-unread]').isVisible()).toBe(false);
    const beforeBeeps = await beeps(visitor.page);
    for (const text of ['Found it: it ships today.', 'Anything else?']) {
      await sam.page.getByLabel('Reply').fill(text);
      await sam.page.getByLabel('Reply').press('Enter');
      await visible(sam.page.locator('.msg.from-agent', { hasText: text }), `"${text}" sent`);
    }
    const badge = visitor.page.locator('[data-baton-unread]');
    await expect.poll(() => badge.innerText(), { timeout: 15_000 }).toBe('2');
    expect(await launcher.getAttribute('aria-label')).toBe('Open the chat, 2 unread messages');
    expect(await beeps(visitor.page)).toBe(beforeBeeps + 2);
    // Closed and out of sight, the answers are delivered but not read: "Read" stays under the first answer.
    await visible(sam.page.locator('.msg.from-agent', { hasText: 'Anything else?' }), 'the last answer in the inbox');
    expect(await answer.getByTestId('read-receipt').count()).toBe(1);
    await screenshot(visitor.page, 'widget-unread-badge');

    // Opening clears the count, and what is now in sight is read. The chat tells Baton of each open.
    const opened = opens.length;
    expect(opened).toBeGreaterThan(0);
    await launcher.click();
    await expect.poll(() => opens.length, { timeout: 15_000 }).toBe(opened + 1);
    expect(opens.every((status) => status === 204)).toBe(true);
    await visible(chat.locator('.bubble.from-agent', { hasText: 'Anything else?' }), 'the answers in the open chat');
    await badge.waitFor({ state: 'hidden' });
    expect(await launcher.getAttribute('aria-label')).toBe('Close the chat');
    await visible(sam.page.locator('.msg.from-agent', { hasText: 'Anything else?' }).getByTestId('read-receipt'), '"Read" moved under the last answer');
    expect(await sam.page.getByTestId('read-receipt').count()).toBe(1);

    // The agent closes the conversation: the chat says so; the visitor's next message opens it again.
    await sam.page.getByRole('button', { name: 'Close', exact: true }).click();
    await visible(sam.page.getByTestId('closed-banner'), 'the closed state in the inbox');
    await visible(chat.getByTestId('chat-closed').getByText('This conversation was closed. Write to start a new one.'), 'the closed state in the chat');
    await screenshot(visitor.page, 'widget-conversation-closed');
    await chat.getByLabel('Your message').fill('One more thing');
    await chat.getByLabel('Your message').press('Enter');
    await visible(chat.locator('.bubble.from-visitor:not(.pending)', { hasText: 'One more thing' }), 'the new message sent');
    await chat.getByTestId('chat-closed').waitFor({ state: 'hidden' });
    await visible(sam.page.locator('.msg.from-customer', { hasText: 'One more thing' }), 'the new message in the inbox');

    expect([...sam.problems, ...visitor.problems]).toEqual([]);
    await sam.context.close();
    await visitor.context.close();
  }, 180_000);
});
