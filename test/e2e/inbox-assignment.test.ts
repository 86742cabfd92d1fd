import { describe, expect, it } from 'vitest';
import type { Browser, Page, Response } from 'playwright-core';
import type { ChildBaton } from '../helpers/child-baton.js';
import { newPage, screenshot, visible } from './browser.js';
import { ALEX, customerWrites, SAM, signIn, TWO_AGENT_DESK } from './two-agent-desk.js';
import { withBatonAndBrowser } from './baton-and-browser.js';

/** The number under a queue tab. */
const tabCount = (page: Page, tab: string): Promise<string> => page.getByRole('tab', { name: new RegExp(tab) }).locator('.count').innerText();

const TAKE = /\/inbox\/api\/conversations\/[^/]+\/take$/;

const takeAnswer = (page: Page): Promise<Response> => page.waitForResponse((r) => r.request().method() === 'POST' && TAKE.test(r.url()));

/** Holds the matching request of each page until every page has sent one, then lets all go at once. */
async function holdUntilBoth(pages: Page[], url: RegExp): Promise<void> {
  let waiting = pages.length;
  let release!: () => void;
  const all = new Promise<void>((resolve) => { release = resolve; });
  for (const page of pages) {
    await page.route(url, async (route) => {
      waiting -= 1;
      if (waiting === 0) release();
      await all;
      await route.continue();
    });
  }
}

/**
 * Two agents, each in a browser context of their own, race to take the same conversation: Baton
 * gives it to one (a take is a compare-and-set) and refuses the other with 409
 * conversation_taken, and the loser's inbox says who took it, with no reply box. Replying anyway
 * takes a click and shows a warning; reassigning takes it on purpose, and the first agent is told.
 */
describe('two agents and one conversation', () => {
  let baton: ChildBaton;
  let browser: Browser;
  withBatonAndBrowser(TWO_AGENT_DESK, (b, br) => {
    baton = b;
    browser = br;
  });

  it('one take wins, the other is told who took it; reply anyway warns; reassign moves it on purpose', async () => {
    const sam = await newPage(browser);
    const alex = await newPage(browser);
    await signIn(sam.page, baton.url, SAM);
    await signIn(alex.page, baton.url, ALEX);
    const id = await customerWrites(baton.url, '+15550100', 'Can someone help me with my invoice?');
    for (const p of [sam.page, alex.page]) {
      const card = p.locator(`.card[data-conversation="${id}"]`);
      await visible(card, 'the conversation in the queue');
      await card.click();
      await visible(p.getByRole('button', { name: 'Take', exact: true }), 'the take button');
    }

    // Both takes are held in the browsers until both are sent: otherwise the first take's live
    // update can replace the other page's Take button before its click lands.
    await holdUntilBoth([sam.page, alex.page], TAKE);
    const answers = Promise.all([takeAnswer(sam.page), takeAnswer(alex.page)]);
    await Promise.all([sam.page.getByRole('button', { name: 'Take', exact: true }).click(), alex.page.getByRole('button', { name: 'Take', exact: true }).click()]);
    const [samAnswer, alexAnswer] = await answers;
    await Promise.all([sam.page.unroute(TAKE), alex.page.unroute(TAKE)]);
    expect([samAnswer.status(), alexAnswer.status()].sort()).toEqual([200, 409]);
    const [winner, loser, refused] = samAnswer.status() === 200 ? [{ ...sam, who: SAM }, { ...alex, who: ALEX }, alexAnswer] : [{ ...alex, who: ALEX }, { ...sam, who: SAM }, samAnswer];
    expect(await refused.json()).toMatchObject({ error: { code: 'conversation_taken', details: { agentId: winner.who.id } } });

    await visible(winner.page.getByTestId('conversation-state').getByText('Yours'), 'the winner holding it');
    await visible(winner.page.getByLabel('Reply'), 'the winner\'s reply box');
    const notice = loser.page.getByRole('alert').filter({ hasText: `Taken by ${winner.who.name} a moment ago` });
    await visible(notice, 'the loser told who took it');
    expect(await loser.page.getByLabel('Reply').count()).toBe(0);
    expect(await loser.page.getByRole('button', { name: 'Take', exact: true }).count()).toBe(0);
    await visible(loser.page.getByTestId('conversation-state').getByText(`With ${winner.who.name}`), 'the loser\'s badge naming the holder');
    await expect.poll(() => tabCount(loser.page, 'Queue')).toBe('0');
    await expect.poll(() => tabCount(winner.page, 'Mine')).toBe('1');
    await screenshot(winner.page, 'inbox-race-winner');
    await screenshot(loser.page, 'inbox-race-loser');

    // Replying in someone else's conversation: only after a click, and under a warning.
    await winner.page.getByLabel('Reply').fill('Hello, I am on it.');
    await winner.page.getByRole('button', { name: 'Send' }).click();
    await visible(loser.page.locator('.timeline .from-agent', { hasText: 'I am on it' }), 'the winner\'s answer at the loser');
    await loser.page.getByRole('button', { name: 'Reply anyway' }).click();
    await visible(loser.page.getByTestId('reply-warning').getByText(`${winner.who.name} holds this conversation`), 'the warning before replying');
    expect(await loser.page.getByLabel('Reply').evaluate((el) => el === document.activeElement)).toBe(true);
    await screenshot(loser.page, 'inbox-reply-anyway');
    await loser.page.getByLabel('Reply').fill('Adding the invoice copy.');
    await loser.page.getByRole('button', { name: 'Send' }).click();
    await visible(winner.page.locator('.timeline .from-agent', { hasText: 'Adding the invoice copy' }), 'the second answer at the holder');
    await visible(winner.page.getByTestId('conversation-state').getByText('Yours'), 'still the winner\'s after the other answer');

    // Reassigning is on purpose, named in the button; the first holder's reply box goes.
    await loser.page.getByRole('button', { name: 'Reassign…' }).click();
    await loser.page.getByLabel('Assign to').selectOption(loser.who.id);
    await loser.page.getByRole('button', { name: `Reassign from ${winner.who.name}` }).click();
    await visible(loser.page.getByTestId('conversation-state').getByText('Yours'), 'the conversation reassigned');
    await visible(loser.page.getByLabel('Reply'), 'the reply box for its new holder');
    await visible(winner.page.getByTestId('held-notice').getByText(`Taken by ${loser.who.name} a moment ago`), 'the first holder told who has it now');
    expect(await winner.page.getByLabel('Reply').count()).toBe(0);
    await visible(winner.page.getByText(`Assigned to ${loser.who.name}`), 'the assignment in the history');
    await expect.poll(() => tabCount(winner.page, 'Mine')).toBe('0');
    await expect.poll(() => tabCount(loser.page, 'Mine')).toBe('1');
    await screenshot(winner.page, 'inbox-reassigned-away');
    expect([...sam.problems, ...alex.problems].filter((p) => !p.includes('409'))).toEqual([]);
    await sam.context.close();
    await alex.context.close();
  }, 120_000);

  it('assigns a waiting conversation to a named agent, who finds it in Mine', async () => {
    const sam = await newPage(browser);
    const alex = await newPage(browser);
    await signIn(sam.page, baton.url, SAM);
    await signIn(alex.page, baton.url, ALEX);
    const id = await customerWrites(baton.url, '+15550200', 'Where is my refund?');
    const card = sam.page.locator(`.card[data-conversation="${id}"]`);
    await visible(card, 'the conversation in Sam\'s queue');
    await card.click();
    await sam.page.getByRole('button', { name: 'Assign…' }).click();
    await sam.page.getByLabel('Assign to').selectOption(ALEX.id);
    await sam.page.getByRole('button', { name: 'Assign', exact: true }).click();
    await visible(sam.page.getByTestId('conversation-state').getByText('With Alex'), 'the conversation with Alex');
    await visible(sam.page.getByTestId('held-notice').getByText('Taken by Alex a moment ago'), 'Sam told it is Alex\'s');

    await alex.page.getByRole('tab', { name: /Mine/ }).click();
    await visible(alex.page.locator(`.card[data-conversation="${id}"]`, { hasText: 'Where is my refund?' }), 'the conversation in Alex\'s Mine');
    expect([...sam.problems, ...alex.problems]).toEqual([]);
    await sam.context.close();
    await alex.context.close();
  }, 60_000);
});
