import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ChildBaton } from '../helpers/child-baton.js';
import { newPage, screenshot, visible } from './browser.js';
import { withBatonAndBrowser } from './baton-and-browser.js';
import { API_KEY, SAM, signIn } from './two-agent-desk.js';

/** One admin from baton.yaml, and a web chat channel whose look the file leaves to the admin page. */
const CONFIG = {
  accounts: [{
    id: 'acme',
    name: 'Acme',
    apiKeys: [API_KEY],
    teams: [{ id: 'billing' }, { id: 'sales' }],
    channels: [{ id: 'site', kind: 'webchat' }],
    components: [{ id: 'inbox', kind: 'desk', dialect: 'inbox' }],
    services: [{ id: 'main', channels: ['site'], rules: [{ id: 'humans', trigger: { event: 'message' }, action: { type: 'desk', desk: 'inbox' } }] }],
    agents: [{ id: SAM.id, name: SAM.name, password: SAM.password, admin: true }],
  }],
};

const DANA = { id: 'dana', password: 'dana-first-password' };

/**
 * An admin adds an agent on the admin page, who then logs in from another browser; the admin
 * gives the web chat a colour, greeting and corner, and a visitor's widget shows them.
 */
describe('the admin page: agents and the web chat look', () => {
  let baton: ChildBaton;
  let browser: Browser;
  withBatonAndBrowser(CONFIG, (b, br) => {
    baton = b;
    browser = br;
  });

  it('adds an agent who logs in elsewhere, and the widget takes the chosen colour, greeting and corner', async () => {
    const sam = await newPage(browser);
    await signIn(sam.page, baton.url, SAM);
    await sam.page.goto(`${baton.url}/inbox#/admin`);
    const agents = sam.page.locator('section[aria-labelledby="agents-title"]');
    await visible(agents.locator('tr[data-agent="sam"]').getByText('set in baton.yaml'), 'sam listed as the file\'s');
    await agents.getByLabel('Login id').fill(DANA.id);
    await agents.getByLabel('Name').fill('Dana');
    await agents.getByLabel('sales').check();
    await agents.getByLabel('First password').fill(DANA.password);
    await agents.getByRole('button', { name: 'Add agent' }).click();
    await visible(agents.getByTestId('agents-note').getByText('dana added'), 'the agent added');
    const row = agents.locator('tr[data-agent="dana"]');
    await visible(row.getByText('inbox'), 'dana listed as the inbox\'s');
    expect(await row.getByRole('button', { name: 'Remove' }).isVisible()).toBe(true);
    expect(await agents.locator('tr[data-agent="sam"]').getByRole('button', { name: 'Remove' }).count()).toBe(0);

    // Dana, in a browser of her own.
    const dana = await newPage(browser);
    await signIn(dana.page, baton.url, DANA);
    await visible(dana.page.getByText('Dana').first(), 'Dana\'s inbox');
    await dana.page.getByLabel('Presence').selectOption('online');
    await screenshot(dana.page, 'admin-added-agent-inbox');

    // The look, with its preview.
    const look = sam.page.locator('form.look-form[data-channel="site"]');
    await look.locator('input[name="look-color"]').fill('#0f766e');
    await look.locator('input[name="look-greeting"]').fill('Hello! <b>Ask</b> us anything.');
    await look.locator('select[name="look-position"]').selectOption('bottom-left');
    expect(await look.getByTestId('look-swatch').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(15, 118, 110)');
    await look.getByRole('button', { name: 'Save look' }).click();
    await visible(look.getByText('Saved.'), 'the look saved');
    // A colour white text cannot be read on is refused, and says why.
    await look.locator('input[name="look-color"]').fill('#fde68a');
    await look.getByRole('button', { name: 'Save look' }).click();
    await visible(look.getByText(/too light/), 'the light colour refused');
    await look.locator('input[name="look-color"]').fill('#0f766e');
    await agents.scrollIntoViewIfNeeded();
    await screenshot(sam.page, 'admin-agents');
    await look.scrollIntoViewIfNeeded();
    await screenshot(sam.page, 'admin-widget-look');

    // A visitor's widget: that colour, the left corner, the greeting as text.
    const visitor = await newPage(browser);
    await visitor.page.goto(`${baton.url}/chat/acme/site`);
    const launcher = visitor.page.locator('[data-baton-launcher]');
    await visible(launcher.getByText('Chat with us'), 'the launcher');
    await expect.poll(() => launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(15, 118, 110)');
    const box = (await launcher.boundingBox())!;
    expect(box.x).toBeLessThan(100);
    const chat = visitor.page.frameLocator('iframe[data-baton-chat]');
    if (!(await visitor.page.locator('iframe[data-baton-chat]').isVisible())) await launcher.click();
    const greeting = chat.getByTestId('chat-greeting');
    await visible(greeting, 'the greeting');
    expect(await greeting.innerText()).toBe('Hello! <b>Ask</b> us anything.');
    expect(await greeting.locator('b').count()).toBe(0);
    expect(await chat.locator('.chat-head').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(15, 118, 110)');
    const frameBox = (await visitor.page.locator('iframe[data-baton-chat]').boundingBox())!;
    expect(frameBox.x).toBeLessThan(100);
    await screenshot(visitor.page, 'widget-chosen-look');

    // The refused colour is the admin page's only failed request.
    expect(sam.problems).toEqual(['console: Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    for (const p of [dana, visitor]) expect(p.problems).toEqual([]);
    for (const p of [sam, dana, visitor]) await p.context.close();
  }, 90_000);
});
