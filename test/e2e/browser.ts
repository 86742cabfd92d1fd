import { mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

/** Screenshots land here (git-ignored), for people to look at what the pages show. */
export const OUTPUT_DIR = new URL('../../test-output/', import.meta.url).pathname;

/**
 * Debian's Chromium, never a downloaded browser (`.ci/run` installs it). The flags keep it from
 * reaching out to Google's services, which this machine's closed network refuses. Playwright gives
 * every launch a new, empty profile directory of its own (its --user-data-dir).
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.BATON_TEST_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page that records console errors (a CSP violation is one) and failed requests. */
export async function newPage(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { context, page, problems };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const path = `${OUTPUT_DIR}${name}.png`;
  await page.screenshot({ path });
  return path;
}

/** Waits for an element to be visible, with a message naming it when it does not come. */
export async function visible(locator: Locator, what: string, timeout = 15_000): Promise<void> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch {
    // What the page showed instead says more than the wait that ran out.
    const shown = await locator.page().locator('body').innerText({ timeout: 1_000 }).catch(() => '(the page did not answer)');
    throw new Error(`not visible within ${timeout} ms: ${what}\nthe page showed:\n${shown.slice(0, 800)}`);
  }
}

/** Logs an agent in through the form. */
export async function logIn(page: Page, url: string, who: { account?: string; agent: string; password: string }): Promise<void> {
  await page.goto(`${url}/inbox`);
  const account = page.getByLabel('Account');
  await visible(account, 'the login form');
  if (who.account) await account.fill(who.account);
  await page.getByLabel('Agent').fill(who.agent);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Resolves once the page has had no request to `pathPart` in flight or started for `ms`: for a
 * test that changes something behind the page's back (ends its session) only after the page's
 * own follow-up reads are done, so they do not meet the change first.
 */
export async function quietFor(page: Page, pathPart: string, ms = 500, timeout = 15_000): Promise<void> {
  let inFlight = 0;
  let last = Date.now();
  const started = (r: { url(): string }) => {
    if (!r.url().includes(pathPart)) return;
    inFlight++;
    last = Date.now();
  };
  const ended = (r: { url(): string }) => {
    if (!r.url().includes(pathPart)) return;
    inFlight = Math.max(0, inFlight - 1);
    last = Date.now();
  };
  page.on('request', started);
  page.on('requestfinished', ended);
  page.on('requestfailed', ended);
  try {
    const until = Date.now() + timeout;
    while (inFlight > 0 || Date.now() - last < ms) {
      if (Date.now() > until) throw new Error(`the page kept calling ${pathPart} for ${timeout} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    page.off('request', started);
    page.off('requestfinished', ended);
    page.off('requestfailed', ended);
  }
}
