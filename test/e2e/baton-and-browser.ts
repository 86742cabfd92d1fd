import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { batonHome, type BatonHome, type ChildBaton } from '../helpers/child-baton.js';
import { launchBrowser } from './browser.js';

/**
 * For a describe block: a built `baton start` on a SQLite store of its own (`config` null: the
 * demo) and a headless Chromium, both up before the first test and gone after the last.
 */
export function withBatonAndBrowser(config: unknown, ready: (baton: ChildBaton, browser: Browser) => void): void {
  let home: BatonHome | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    home = batonHome('sqlite', config);
    const baton = await home.start();
    browser = await launchBrowser();
    ready(baton, browser);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await home?.dispose();
  });
}
