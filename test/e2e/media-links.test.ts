import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ChildBaton } from '../helpers/child-baton.js';
import { withBatonAndBrowser } from './baton-and-browser.js';
import { logIn, newPage, visible } from './browser.js';

const KEY = 'links-api-key-000000000001';
const CONFIG = {
  accounts: [{
    id: 'links',
    apiKeys: [KEY],
    channels: [{ id: 'api', kind: 'native' }],
    components: [{ id: 'inbox', kind: 'desk', dialect: 'inbox' }],
    services: [{ id: 'main', channels: ['api'], rules: [{ id: 'humans', trigger: { event: 'message' }, action: { type: 'desk', desk: 'inbox' } }] }],
    agents: [{ id: 'alice', name: 'Alice', password: 'alice-password' }],
  }],
};

/** A customer's media links reach the inbox; only the http(s) one is a link there. */
describe('media links in the inbox', () => {
  let baton: ChildBaton;
  let browser: Browser;
  withBatonAndBrowser(CONFIG, (b, br) => { baton = b; browser = br; });

  it('renders a javascript: or data: media URL as text, an https one as a link', async () => {
    const send = async (url: string, name: string) => {
      const res = await fetch(`${baton.url}/v1/channels/api/messages`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ customer: '+15550142', content: { type: 'media', media: { url, name } } }) });
      expect(res.status).toBeLessThan(300);
    };
    await send('javascript:alert(document.cookie)', 'script-link');
    await send('data:text/html,<script>alert(1)</script>', 'data-link');
    await send('https://cdn.example.com/invoice.pdf', 'invoice.pdf');

    const { page } = await newPage(browser);
    await logIn(page, baton.url, { account: 'links', agent: 'alice', password: 'alice-password' });
    await page.locator('.card').first().click();
    const timeline = page.locator('.timeline');
    await visible(timeline.locator('a.file', { hasText: 'invoice.pdf' }), 'the https file as a link');
    await visible(timeline.locator('span.file', { hasText: 'script-link' }), 'the javascript: one as text');
    await visible(timeline.locator('span.file', { hasText: 'data-link' }), 'the data: one as text');
    expect(await page.locator('a[href^="javascript:" i], a[href^="data:" i]').count()).toBe(0);
  });
});
