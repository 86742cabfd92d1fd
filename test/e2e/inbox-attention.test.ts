import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ChildBaton } from '../helpers/child-baton.js';
import { newPage, screenshot, visible } from './browser.js';
import { customerWrites, SAM, signIn, TWO_AGENT_DESK } from './two-agent-desk.js';
import { withBatonAndBrowser } from './baton-and-browser.js';

interface Heard {
  notes: { title: string; body: string }[];
  tones: number;
}

/**
 * Lets the page use the real Notification API and Web Audio, and writes down what it did: the
 * notifications it showed and the tones it played (a headless browser has no speakers to listen to).
 */
async function recordAlerts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __heard: Heard & { shown: Notification[] }; Notification: typeof Notification };
    w.__heard = { notes: [], tones: 0, shown: [] };
    const Real = window.Notification;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        w.__heard.notes.push({ title, body: options?.body ?? '' });
        w.__heard.shown.push(this);
      }
    }
    Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
    Object.defineProperty(Recorded, 'requestPermission', { value: () => Real.requestPermission() });
    w.Notification = Recorded;
    const createOscillator = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function (this: AudioContext) {
      w.__heard.tones += 1;
      return createOscillator.call(this);
    };
  });
}

const heard = (page: Page): Promise<Heard> => page.evaluate(() => {
  const h = (window as unknown as { __heard: Heard }).__heard;
  return { notes: [...h.notes], tones: h.tones };
});

/**
 * What draws an agent's attention, in Chromium against a real `baton start`: the last message and
 * the unread count on every card, the customer-wrote-last highlight, the count in the tab's title,
 * and the sound and desktop notifications the agent turned on, for new queue items and new
 * messages in their own conversations (never for the one they are looking at).
 */
describe('the inbox draws the agent to what waits for them', () => {
  let baton: ChildBaton;
  let browser: Browser;
  withBatonAndBrowser(TWO_AGENT_DESK, (b, br) => {
    baton = b;
    browser = br;
  });

  it('previews, counts unread, highlights who waits, titles the tab, and notifies once turned on', async () => {
    const s = await newPage(browser);
    await s.context.grantPermissions(['notifications'], { origin: baton.url });
    await recordAlerts(s.page);
    const page = s.page;
    await signIn(page, baton.url, SAM);
    expect(await page.title()).toBe('Inbox · Baton');

    // Off until turned on, and kept across a reload.
    await page.getByText('Alerts: off').click();
    await page.getByLabel('Play a sound').check();
    await page.getByLabel('Desktop notifications').check();
    await visible(page.getByText('Alerts: sound, desktop'), 'both alerts on');
    expect((await heard(page)).tones).toBeGreaterThan(0); // the sample chime when sound goes on
    await page.reload();
    await visible(page.getByTestId('connection').getByText('Live'), 'the inbox after a reload');
    await visible(page.getByText('Alerts: sound, desktop'), 'the alerts still on after a reload');
    const quiet = await heard(page);

    // A new queue item: a card with the last message, one unread, the highlight; a tone, a notification, the title.
    const first = await customerWrites(baton.url, '+15550001', 'Hello, my parcel is late');
    const card = page.locator(`.card[data-conversation="${first}"]`);
    await visible(card.locator('.card-preview', { hasText: 'Hello, my parcel is late' }), 'the preview on the queue card');
    await visible(card.getByTestId('unread').getByText('1'), 'one unread');
    expect(await card.evaluate((el) => el.classList.contains('awaiting'))).toBe(true);
    await expect.poll(() => page.title()).toBe('(1) Inbox · Baton');
    await expect.poll(async () => (await heard(page)).notes).toEqual([{ title: 'Waiting in the queue: +15550001', body: 'Hello, my parcel is late' }]);
    expect((await heard(page)).tones).toBeGreaterThan(quiet.tones);

    await customerWrites(baton.url, '+15550001', 'Order 4711');
    await visible(card.locator('.card-preview', { hasText: 'Order 4711' }), 'the newer preview');
    await visible(card.getByTestId('unread').getByText('2'), 'two unread');
    await screenshot(page, 'inbox-attention-queue');

    // Opened: read. Taken and answered: no longer waiting, no longer in the title.
    await card.click();
    await visible(page.locator('.timeline', { hasText: 'Order 4711' }), 'the conversation open');
    await expect.poll(() => card.getByTestId('unread').count()).toBe(0);
    await page.getByRole('button', { name: 'Take', exact: true }).click();
    await visible(page.getByTestId('conversation-state').getByText('Yours'), 'the conversation taken');
    await expect.poll(() => page.title()).toBe('Inbox · Baton');
    await page.getByLabel('Reply').fill('Looking into it');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('tab', { name: /Mine/ }).click();
    await visible(card.locator('.card-preview', { hasText: 'You: Looking into it' }), 'the agent\'s answer as the preview');
    expect(await card.evaluate((el) => el.classList.contains('awaiting'))).toBe(false);

    // A message in the conversation the agent is looking at is read already, and not announced.
    const before = (await heard(page)).notes.length;
    await customerWrites(baton.url, '+15550001', 'Any news?');
    await visible(page.locator('.timeline', { hasText: 'Any news?' }), 'the message in the open conversation');
    await visible(card.locator('.card-preview', { hasText: 'Any news?' }), 'the card read again');
    expect(await card.getByTestId('unread').count()).toBe(0);
    expect((await heard(page)).notes.length).toBe(before);

    // Looking elsewhere: a new message in Mine is unread, highlighted, in the title, and notified.
    await page.goto(`${baton.url}/inbox#/`);
    await page.getByRole('tab', { name: /Mine/ }).click();
    await customerWrites(baton.url, '+15550001', 'Thanks, still waiting');
    await visible(card.getByTestId('unread').getByText('1'), 'one unread in Mine');
    expect(await card.evaluate((el) => el.classList.contains('awaiting'))).toBe(true);
    await visible(card.getByText('Waiting for reply'), 'the highlight in words');
    await expect.poll(() => page.title()).toBe('(1) Inbox · Baton');
    await expect.poll(async () => (await heard(page)).notes.at(-1)).toEqual({ title: '+15550001 wrote', body: 'Thanks, still waiting' });
    await screenshot(page, 'inbox-attention-mine');

    // What was read is kept in the browser across a reload; clicking the notification opens the conversation.
    await page.reload();
    await visible(page.getByTestId('connection').getByText('Live'), 'the inbox after a reload');
    await page.getByRole('tab', { name: /Mine/ }).click();
    await visible(card.getByTestId('unread').getByText('1'), 'still one unread after a reload');
    await customerWrites(baton.url, '+15550001', 'Hello?');
    await expect.poll(async () => (await heard(page)).notes.at(-1)?.body).toBe('Hello?');
    await page.evaluate(() => {
      const shown = (window as unknown as { __heard: { shown: Notification[] } }).__heard.shown;
      shown[shown.length - 1]!.onclick?.(new Event('click'));
    });
    await visible(page.getByRole('heading', { name: '+15550001' }), 'the conversation opened from the notification');
    await expect.poll(() => card.getByTestId('unread').count()).toBe(0);
    await expect.poll(() => page.title()).toBe('Inbox · Baton');
    expect(s.problems).toEqual([]);
    await s.context.close();
  }, 120_000);

  it('says when the browser blocks notifications, and leaves them off', async () => {
    const s = await newPage(browser);
    await s.context.clearPermissions();
    await s.page.addInitScript(() => {
      Object.defineProperty(Notification, 'permission', { get: () => 'denied' });
    });
    await signIn(s.page, baton.url, SAM);
    await s.page.getByText(/Alerts:/).click();
    await visible(s.page.getByText("This browser blocks Baton's notifications"), 'the reason notifications are off');
    expect(await s.page.getByLabel('Desktop notifications').isChecked()).toBe(false);
    await s.context.close();
  }, 60_000);
});
