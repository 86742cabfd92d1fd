import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { launchBrowser, newPage, quietFor, screenshot, visible } from './browser.js';
import { restartableBaton, type RestartableBaton } from './restartable-baton.js';

const AGENT = { agent: 'agent', password: 'demo-agent-password' };
const DEMO_API_KEY = 'demo-api-key-0123456789';

/** WCAG contrast of an `rgb(…)`/`rgba(…)` colour (blended on white) against white. */
function contrastOnWhite(css: string): number {
  const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(css);
  if (!m) throw new Error(`not a colour: ${css}`);
  const alpha = m[4] === undefined ? 1 : Number(m[4]);
  const lum = [m[1], m[2], m[3]].map((c) => {
    const v = (Number(c) * alpha + 255 * (1 - alpha)) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  const l = 0.2126 * lum[0]! + 0.7152 * lum[1]! + 0.0722 * lum[2]!;
  return 1.05 / (l + 0.05);
}

/** The colour a focused element is ringed with: its outline, or else its box-shadow ring. */
async function focusRingColour(locator: Locator): Promise<string> {
  return locator.evaluate((el) => {
    const s = getComputedStyle(el);
    if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) return s.outlineColor;
    const shadow = /rgba?\([^)]*\)/.exec(s.boxShadow);
    return shadow ? shadow[0] : 'rgb(255, 255, 255)';
  });
}

/**
 * What the inbox and the web chat say must be what is so: an ended session leads to the login
 * form and back, a Baton that is down says so everywhere and nothing says so once it is back,
 * every queue tab is in sight, the widget works from the keyboard, a visitor with nobody online
 * is told, and the emergency switch asks first. Against the demo on a real `baton start`.
 */
describe('the inbox and the web chat tell the truth', () => {
  let baton: RestartableBaton;
  let browser: Browser;

  beforeAll(async () => {
    baton = await restartableBaton();
    await baton.start();
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await baton?.dispose();
  });

  /** A conversation of the demo API channel, with the bot. */
  const apiCustomer = async (customer: string) => {
    const res = await fetch(`${baton.url}/v1/channels/api/messages`, { method: 'POST', headers: { authorization: `Bearer ${DEMO_API_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ customer, text: 'hello' }) });
    expect(res.status).toBeLessThan(300);
  };
  /** Ends every inbox session as its expiry would: the cookie is still sent, Baton no longer knows it. */
  const expireSessions = () => {
    const db = new Database(baton.sqliteFile);
    try {
      db.pragma('busy_timeout = 5000');
      db.prepare('UPDATE sessions SET expires_at = ?').run('2000-01-01T00:00:00.000Z');
    } finally {
      db.close();
    }
  };
  const signIn = async (page: Page) => {
    await visible(page.getByLabel('Password'), 'the login form');
    await page.getByLabel('Agent').fill(AGENT.agent);
    await page.getByLabel('Password').fill(AGENT.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  const openInbox = async (page: Page, hash = '') => {
    await page.goto(`${baton.url}/inbox${hash}`);
    await signIn(page);
    await visible(page.getByTestId('connection').getByText('Live'), 'the inbox connected');
  };
  const chatOf = (page: Page): FrameLocator => page.frameLocator('iframe[data-baton-chat]');
  const launcher = (page: Page): Locator => page.locator('[data-baton-launcher]');
  const say = async (chat: FrameLocator, text: string) => {
    await chat.getByLabel('Your message').fill(text);
    await chat.getByLabel('Your message').press('Enter');
  };

  it('an ended session leads to the login form, and back to the same conversation with the draft', async () => {
    await apiCustomer('+15550101');
    await apiCustomer('+15550102');
    const a = await newPage(browser);
    await openInbox(a.page);
    await a.page.getByRole('tab', { name: /Bot/ }).click();
    await a.page.locator('.card', { hasText: '+15550101' }).click();
    await a.page.getByRole('button', { name: 'Take over from bot' }).click();
    await visible(a.page.getByTestId('conversation-state').getByText('Yours'), 'the takeover');
    const first = a.page.url().split('#')[1]!;
    await a.page.getByLabel('Reply').fill('A draft that must survive the login');
    // The take is followed by a re-read of the lists; the session must end after it, before Send.
    await quietFor(a.page, '/inbox/api/');

    expireSessions();
    await a.page.getByRole('button', { name: 'Send' }).click();
    await visible(a.page.getByRole('status').getByText('Your session has ended'), 'the login form saying why');
    expect(a.page.url().split('#')[1]).toBe(first);
    await screenshot(a.page, 'inbox-session-ended');
    await signIn(a.page);
    await visible(a.page.getByTestId('conversation-state').getByText('Yours'), 'the same conversation after logging in');
    expect(await a.page.getByLabel('Reply').inputValue()).toBe('A draft that must survive the login');

    // A click on another conversation does not hang on "Loading…": the login form comes.
    expireSessions();
    await a.page.getByRole('tab', { name: /Bot/ }).click();
    await a.page.locator('.card', { hasText: '+15550102' }).click();
    await visible(a.page.getByRole('status').getByText('Your session has ended'), 'the login form after a click');
    await signIn(a.page);
    await visible(a.page.getByRole('heading', { name: '+15550102' }), 'the clicked conversation after logging in');

    // The first draft is still there, and goes once sent.
    await a.page.goto(`${baton.url}/inbox#${first}`);
    await visible(a.page.getByTestId('conversation-state').getByText('Yours'), 'the first conversation');
    expect(await a.page.getByLabel('Reply').inputValue()).toBe('A draft that must survive the login');
    await a.page.getByRole('button', { name: 'Send' }).click();
    await visible(a.page.locator('.timeline .from-agent', { hasText: 'must survive the login' }), 'the draft sent');
    await a.page.reload();
    await visible(a.page.locator('.timeline .from-agent', { hasText: 'must survive the login' }), 'the conversation after a reload');
    expect(await a.page.getByLabel('Reply').inputValue()).toBe('');
    expect(a.problems.filter((p) => !p.includes('401'))).toEqual([]);
    await a.context.close();
  }, 90_000);

  it('while Baton is down, the inbox and the widget say so in words, and stop saying so once it is back', async () => {
    const v = await newPage(browser);
    await v.page.goto(`${baton.url}/chat`);
    const chat = chatOf(v.page);
    await say(chat, 'hello');
    await visible(chat.getByText("I'm the Baton demo bot"), 'the bot greeting');
    await chat.getByRole('button', { name: 'Talk to a human' }).click();
    await visible(chat.getByText('connecting you with a colleague'), 'the handover');

    const a = await newPage(browser);
    await openInbox(a.page);
    await a.page.getByRole('tab', { name: /Queue/ }).click();
    await a.page.locator('.card', { hasText: 'Waiting' }).first().click();
    await a.page.getByRole('button', { name: 'Take', exact: true }).click();
    await visible(a.page.getByTestId('conversation-state').getByText('Yours'), 'the conversation taken');
    await visible(chat.getByTestId('chat-status').getByText('a person is answering you'), 'the visitor told a person answers');
    await a.page.getByLabel('Reply').fill('Sent while Baton is down');

    await baton.stop();
    // The inbox: words in the top bar, a banner, presence that cannot change.
    await visible(a.page.getByTestId('connection').getByText('Not connected'), 'the top bar saying it is not connected');
    await visible(a.page.getByRole('alert').getByText('Baton cannot be reached.'), 'the banner');
    expect(await a.page.getByLabel('Presence').isDisabled()).toBe(true);
    await a.page.getByRole('button', { name: 'Send' }).click();
    await visible(a.page.locator('.form-error', { hasText: 'Baton cannot be reached' }), 'the failed send');
    // The widget: header and launcher say the same.
    await visible(chat.getByTestId('chat-status').getByText('Not connected'), 'the chat header saying it is not connected');
    await visible(launcher(v.page).getByText('Chat not connected'), 'the launcher saying the same');
    await visible(chat.getByText('The chat cannot reach us right now'), 'the notice in the chat');
    expect(await chat.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await screenshot(a.page, 'inbox-baton-down');
    await screenshot(v.page, 'chat-baton-down');

    await baton.start();
    await visible(a.page.getByTestId('connection').getByText('Live'), 'the inbox live again', 20_000);
    expect(await a.page.getByText('Baton cannot be reached').count()).toBe(0);
    expect(await a.page.getByLabel('Presence').isDisabled()).toBe(false);
    expect(await a.page.getByLabel('Reply').inputValue()).toBe('Sent while Baton is down');
    await visible(chat.getByTestId('chat-status').getByText('a person is answering you'), 'the chat header back', 20_000);
    await visible(launcher(v.page).getByText('Chat with us'), 'the launcher back');
    expect(await chat.getByText('cannot reach us').count()).toBe(0);
    expect(await chat.locator('.chat-error').count()).toBe(0);
    await a.page.getByRole('button', { name: 'Send' }).click();
    await visible(chat.locator('.bubble.from-agent', { hasText: 'Sent while Baton is down' }), 'the answer at the visitor after the restart');
    await say(chat, 'and back again');
    await visible(a.page.locator('.timeline .from-customer', { hasText: 'and back again' }), 'the visitor live in the inbox after the restart');
    await screenshot(a.page, 'inbox-baton-back');
    await v.context.close();
    await a.context.close();
  }, 120_000);

  it('shows every queue tab at 1280 px, and rings what has the keyboard focus at 3:1 or more against white', async () => {
    const a = await newPage(browser);
    await openInbox(a.page);
    const tabs = a.page.getByRole('tablist', { name: 'Queues' });
    const inSight = async () => {
      const strip = (await tabs.boundingBox())!;
      const names = [];
      for (const tab of await tabs.getByRole('tab').all()) {
        const box = (await tab.boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(strip.x);
        expect(box.x + box.width).toBeLessThanOrEqual(strip.x + strip.width + 0.5);
        names.push((await tab.innerText()).split('\n')[0]);
      }
      expect(await tabs.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      return names;
    };
    expect(await inSight()).toEqual(['Queue', 'Mine', 'Bot', 'Open', 'Closed']);
    // Counts of three digits fit as well.
    await a.page.locator('.tab .count').evaluateAll((els) => els.forEach((el) => (el.textContent = '999')));
    expect(await inSight()).toEqual(['Queue', 'Mine', 'Bot', 'Open', 'Closed']);
    await a.page.getByRole('tab', { name: /Closed/ }).click();
    await screenshot(a.page, 'inbox-tabs-1280');

    await a.page.keyboard.press('Tab');
    const focused = a.page.locator(':focus-visible');
    await visible(focused, 'a focused element');
    expect(contrastOnWhite(await focusRingColour(focused))).toBeGreaterThanOrEqual(3);
    await a.page.getByLabel('Team').focus();
    expect(contrastOnWhite(await focusRingColour(a.page.getByLabel('Team')))).toBeGreaterThanOrEqual(3);
    await a.context.close();
  }, 60_000);

  it('opens the widget from the keyboard with the cursor in the message box, keeps early keys, and closes on Escape', async () => {
    // Desktop: the chat page opens the widget at once; the visitor closes it, then opens it again.
    const v = await newPage(browser);
    await v.page.goto(`${baton.url}/chat`);
    const chat = chatOf(v.page);
    await visible(chat.getByTestId('chat-status').getByText(/Online|Assistant/), 'the chat open');
    await launcher(v.page).focus();
    await v.page.keyboard.press('Enter');
    await visible(launcher(v.page).and(v.page.getByRole('button', { name: 'Open the chat' })), 'the chat closed');
    await v.page.keyboard.press('Enter');
    await v.page.keyboard.type('first keys');
    expect(await chat.getByLabel('Your message').inputValue()).toBe('first keys');
    expect(await chat.getByLabel('Your message').evaluate((el) => el === document.activeElement && document.hasFocus())).toBe(true);
    expect(contrastOnWhite(await focusRingColour(chat.getByLabel('Your message')))).toBeGreaterThanOrEqual(3);
    await v.page.keyboard.press('Escape');
    await visible(v.page.getByRole('button', { name: 'Open the chat' }), 'the chat closed by Escape');
    expect(await v.page.locator('iframe[data-baton-chat]').isVisible()).toBe(false);
    expect(await launcher(v.page).evaluate((el) => el === document.activeElement)).toBe(true);
    expect(contrastOnWhite(await focusRingColour(launcher(v.page)))).toBeGreaterThanOrEqual(3);
    await screenshot(v.page, 'chat-launcher-focused');
    await v.context.close();

    // Phone: no chat until the visitor opens it; what they type while it loads is not lost.
    const phone = await newPage(browser, { width: 390, height: 844 });
    await phone.page.goto(`${baton.url}/chat`);
    await visible(launcher(phone.page).getByText('Chat with us'), 'the launcher');
    expect(await phone.page.locator('iframe[data-baton-chat]').count()).toBe(0);
    await launcher(phone.page).focus();
    await phone.page.keyboard.press('Enter');
    await phone.page.keyboard.type('typed at once');
    const phoneChat = chatOf(phone.page);
    await visible(phoneChat.getByLabel('Your message'), 'the message box');
    await expect.poll(() => phoneChat.getByLabel('Your message').inputValue()).toBe('typed at once');
    await phone.page.keyboard.type(' and more');
    expect(await phoneChat.getByLabel('Your message').inputValue()).toBe('typed at once and more');
    await screenshot(phone.page, 'chat-phone-keyboard');
    await phone.page.keyboard.press('Escape');
    await visible(phone.page.getByRole('button', { name: 'Open the chat' }), 'the phone chat closed by Escape');
    expect(await launcher(phone.page).evaluate((el) => el === document.activeElement)).toBe(true);
    expect(v.problems).toEqual([]);
    expect(phone.problems).toEqual([]);
    await phone.context.close();
  }, 60_000);

  it('tells a visitor when nobody from the team is online, and when someone is', async () => {
    const a = await newPage(browser);
    await openInbox(a.page);
    await a.page.getByLabel('Presence').selectOption('offline');
    await visible(a.page.locator('.presence-offline'), 'the agent offline');

    const v = await newPage(browser);
    await v.page.goto(`${baton.url}/chat`);
    const chat = chatOf(v.page);
    const status = chat.getByTestId('chat-status');
    await visible(status.getByText('Assistant only · nobody from the team online'), 'the header with nobody online');
    await visible(chat.getByText('nobody from our team is online at the moment'), 'the hint with nobody online');
    await say(chat, 'hello');
    await visible(chat.getByText("I'm the Baton demo bot"), 'the bot greeting');
    await chat.getByRole('button', { name: 'Talk to a human' }).click();
    await visible(chat.getByText('connecting you with a colleague'), 'the bot handing over');
    await visible(status.getByText('Waiting · nobody from the team online'), 'the header while waiting with nobody online');
    await visible(chat.getByText('Nobody from our team is online right now.'), 'the notice while waiting');
    await visible(launcher(v.page).getByText("We're offline"), 'the launcher saying the same');
    expect(await chat.getByText('Online · replies instantly').count()).toBe(0);
    await screenshot(v.page, 'chat-nobody-online');

    // An agent comes online: the visitor is told at once, then that a person answers.
    await a.page.getByLabel('Presence').selectOption('online');
    await visible(status.getByText('Waiting for a person to answer'), 'the header once an agent is online');
    expect(await chat.getByText('Nobody from our team is online right now.').count()).toBe(0);
    await visible(launcher(v.page).getByText('Chat with us'), 'the launcher once an agent is online');
    await a.page.getByRole('tab', { name: /Queue/ }).click();
    await a.page.locator('.card', { hasText: 'Waiting' }).first().click();
    await a.page.getByRole('button', { name: 'Take', exact: true }).click();
    await visible(status.getByText('Online · a person is answering you'), 'the header once the agent took it');
    await a.page.getByLabel('Presence').selectOption('offline');
    expect(v.problems).toEqual([]);
    await v.context.close();
    await a.context.close();
  }, 60_000);

  it('asks before the emergency switch moves, and lets switching it off hand back quietly', async () => {
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${baton.url}/v1${path}`, { method, headers: { authorization: `Bearer ${DEMO_API_KEY}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
      return (await res.json()) as any;
    };
    /** Polls until `check` holds: the demo's dispatcher delivers on its own time. */
    const until = async <T>(what: string, read: () => Promise<T>, check: (v: T) => boolean): Promise<T> => {
      for (let i = 0; i < 100; i++) {
        const v = await read();
        if (check(v)) return v;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`timed out waiting for ${what}`);
    };
    // A conversation with the demo bot, which greets on a handback: the switch hands it over and back.
    const conv = (await api('POST', '/channels/api/messages', { customer: 'em-quiet', text: 'hello' })).conversation.id as string;
    const botMessages = async () => ((await api('GET', `/conversations/${conv}/messages`)).items as { author: { kind: string } }[]).filter((m) => m.author.kind === 'bot').length;
    const greeted = await until('the bot\'s first answer', botMessages, (n) => n > 0);
    const a = await newPage(browser);
    await openInbox(a.page, '#/admin');
    const panel = a.page.locator('section.emergency');
    const emergencyOn = () => a.page.evaluate(async () => ((await (await fetch('/inbox/api/admin/overview')).json()) as { emergency: boolean }).emergency);
    await panel.getByRole('button', { name: 'Switch on' }).click();
    const dialog = a.page.getByRole('dialog', { name: 'Switch emergency handover on?' });
    await visible(dialog, 'the confirmation');
    await visible(dialog.getByText('Bots stop answering in every conversation'), 'what switching on does');
    expect(await dialog.getByRole('button', { name: 'Cancel' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await a.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await emergencyOn()).toBe(false);
    await panel.getByRole('button', { name: 'Switch on' }).click();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await emergencyOn()).toBe(false);

    await panel.getByRole('button', { name: 'Switch on' }).click();
    await dialog.getByRole('button', { name: 'Switch on' }).click();
    await visible(a.page.getByRole('status').getByText('Emergency handover on;'), 'the switch on');
    expect(await emergencyOn()).toBe(true);

    expect((await api('GET', `/conversations/${conv}`)).conversation.controller).toBe('desk');

    await panel.getByRole('button', { name: 'Switch off' }).click();
    const off = a.page.getByRole('dialog', { name: 'Switch emergency handover off?' });
    const tell = off.getByRole('radio', { name: 'Hand back and tell the bots' });
    await visible(tell, 'the choice of telling the bots');
    // Baton's default is preselected, and says that bots may write to every customer.
    expect(await tell.isChecked()).toBe(true);
    expect(await tell.getAttribute('aria-describedby').then((id) => off.locator(`#${id}`).textContent())).toContain('each bot is told and may write to its customer');
    await screenshot(a.page, 'inbox-emergency-confirm-off');
    await off.getByRole('button', { name: 'Cancel' }).click();
    expect(await emergencyOn()).toBe(true);
    await panel.getByRole('button', { name: 'Switch off' }).click();
    await off.getByRole('radio', { name: 'Hand back quietly' }).check();
    await off.getByRole('button', { name: 'Switch off' }).click();
    await visible(a.page.getByRole('status').getByText('Emergency handover off;'), 'the switch off');
    await visible(a.page.getByRole('status').getByText('without telling them'), 'the switch off, quietly');
    expect(await emergencyOn()).toBe(false);
    expect((await api('GET', `/conversations/${conv}`)).conversation.controller).toBe('bot');

    // The customer writes again and the bot answers: the sign that it has the conversation, and
    // that whatever Baton would have sent it on the switch's end came before.
    await api('POST', '/channels/api/messages', { customer: 'em-quiet', text: 'what are your prices?' });
    await until('the bot\'s answer to the next message', botMessages, (n) => n > greeted);
    const toBot = ((await api('GET', `/deliveries?targetId=demo-bot&conversationId=${conv}`)).items as { eventType: string }[]).map((d) => d.eventType);
    expect(toBot).toContain('handover');
    expect(toBot).not.toContain('handback');
    const handback = ((await api('GET', `/conversations/${conv}/events`)).items as { type: string; data: Record<string, unknown> }[]).find((e) => e.type === 'handback');
    expect(handback?.data).toMatchObject({ reason: 'emergency_ended', quiet: true });
    expect(a.problems).toEqual([]);
    await a.context.close();
  }, 90_000);
});
