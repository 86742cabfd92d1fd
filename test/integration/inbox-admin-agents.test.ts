import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bootOn, http, login, type StorePlace } from '../helpers/boot.js';
import { dropSchema, engines, freshSchemaName } from '../helpers/engines.js';
import { loginAgent } from '../helpers/inbox-client.js';

const KEY = 'acme-key-0000000000000001';

function acme(agents: unknown[]) {
  return {
    id: 'acme',
    apiKeys: [KEY],
    teams: [{ id: 'billing' }, { id: 'sales' }],
    channels: [
      { id: 'site', kind: 'webchat' },
      { id: 'shop', kind: 'webchat', widget: { color: '#0F766E', greeting: 'Hello from the file' } },
    ],
    components: [{ id: 'desk', kind: 'desk', dialect: 'inbox' }],
    services: [{ id: 'main', channels: ['site', 'shop'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'desk', desk: 'desk' } }] }],
    agents,
  };
}

const FILE_AGENTS = [
  { id: 'alice', password: 'alice-password', admin: true },
  { id: 'amos', password: 'amos-password' },
  // No password in the file: the admin page manages it.
  { id: 'carol', name: 'Carol' },
];
const V1 = { accounts: [acme(FILE_AGENTS)] };

const me = (url: string, cookie: string) => http(`${url}/inbox/api/me`, 'GET', undefined, { cookie });
const audit = async (url: string) => (await http(`${url}/v1/audit?limit=100`, 'GET', undefined, { authorization: `Bearer ${KEY}` })).body.items as { action: string; subject: string; actor: string; details: Record<string, unknown> }[];

describe.each(engines)('agents and the web chat look on the admin page, on $name', (engine) => {
  let place: StorePlace;
  const running: { close(): Promise<void> }[] = [];
  const start = async (config: unknown) => {
    const b = await bootOn(place, config);
    running.push(b.baton);
    return b.url;
  };
  const stop = async () => {
    while (running.length) await running.pop()!.close();
  };

  afterEach(async () => {
    await stop();
    rmSync(place.dataDir, { recursive: true, force: true });
    if (place.schema) await dropSchema(place.schema);
  });
  const fresh = () => {
    place = { engine: engine.name, dataDir: mkdtempSync(join(tmpdir(), 'baton-admin-')), ...(engine.name === 'postgres' ? { schema: freshSchemaName() } : {}) };
  };

  it('adds an agent who then logs in; resets passwords and ends logins; refuses what baton.yaml holds', async () => {
    fresh();
    const url = await start(V1);
    const alice = await loginAgent(url, 'acme', 'alice', 'alice-password');
    const amos = await loginAgent(url, 'acme', 'amos', 'amos-password');

    // Not an admin: refused, nothing added.
    const refused = await amos.call('POST', '/admin/agents', { id: 'dana', password: 'dana-password' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await amos.call('GET', '/admin/agents')).status).toBe(403);
    // No CSRF token: refused.
    expect((await alice.call('POST', '/admin/agents', { id: 'dana', password: 'dana-password' }, { csrf: null })).status).toBe(403);
    // Bad input: a clear 400, nothing added.
    for (const bad of [{ id: 'dana', password: 'short' }, { id: 'da na', password: 'dana-password' }, { id: 'dana', password: 'dana-password', teams: ['nope'] }, { id: 'dana', password: 'dana-password', extra: 1 }]) {
      const res = await alice.call('POST', '/admin/agents', bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await login(url, 'acme', 'dana', 'dana-password')).status).toBe(401);

    const added = await alice.call('POST', '/admin/agents', { id: 'dana', name: 'Dana', teams: ['sales'], password: 'dana-password' });
    expect(added.status).toBe(201);
    expect(added.body.agent).toEqual({ id: 'dana', name: 'Dana', teams: ['sales'], admin: false, presence: 'offline', managedBy: 'inbox', passwordFrom: 'inbox', passwordResettable: true });
    expect(JSON.stringify(added.body)).not.toContain('scrypt');
    const twice = await alice.call('POST', '/admin/agents', { id: 'dana', password: 'dana-password' });
    expect([twice.status, twice.body.error.code]).toEqual([409, 'agent_exists']);
    expect((await alice.call('POST', '/admin/agents', { id: 'amos', password: 'amos-password-2' })).body.error.code).toBe('agent_exists');

    const dana = await loginAgent(url, 'acme', 'dana', 'dana-password');
    expect((await dana.call('GET', '/me')).body.agent).toMatchObject({ id: 'dana', name: 'Dana', teams: ['sales'] });
    const list = (await alice.call('GET', '/admin/agents')).body.items as { id: string; managedBy: string; passwordResettable: boolean }[];
    expect(list.map((a) => [a.id, a.managedBy, a.passwordResettable])).toEqual([['alice', 'config', false], ['amos', 'config', false], ['carol', 'config', true], ['dana', 'inbox', true]]);

    // Reset: the old password and the old login stop working, the new one works.
    const reset = await alice.call('POST', '/admin/agents/dana/password', { password: 'dana-password-2' });
    expect(reset.status).toBe(200);
    expect((await me(url, dana.cookie)).status).toBe(401);
    expect((await login(url, 'acme', 'dana', 'dana-password')).status).toBe(401);
    expect((await login(url, 'acme', 'dana', 'dana-password-2')).status).toBe(200);

    // A password baton.yaml sets is the file's.
    const locked = await alice.call('POST', '/admin/agents/amos/password', { password: 'amos-password-2' });
    expect([locked.status, locked.body.error.code]).toEqual([409, 'password_in_config']);
    expect((await me(url, amos.cookie)).status).toBe(200);
    expect((await login(url, 'acme', 'amos', 'amos-password-2')).status).toBe(401);
    // The file gives carol none: it is set here.
    expect((await login(url, 'acme', 'carol', 'carol-password')).status).toBe(401);
    expect((await alice.call('POST', '/admin/agents/carol/password', { password: 'carol-password' })).status).toBe(200);
    expect((await login(url, 'acme', 'carol', 'carol-password')).status).toBe(200);
    expect((await alice.call('POST', '/admin/agents/nobody/password', { password: 'whatever-1' })).body.error.code).toBe('agent_not_found');

    // Removal: the inbox's agents only.
    const fileAgent = await alice.call('DELETE', '/admin/agents/amos');
    expect([fileAgent.status, fileAgent.body.error.code]).toEqual([409, 'agent_in_config']);
    const dana2 = await loginAgent(url, 'acme', 'dana', 'dana-password-2');
    expect((await alice.call('DELETE', '/admin/agents/dana')).status).toBe(200);
    expect((await me(url, dana2.cookie)).status).toBe(401);
    expect((await login(url, 'acme', 'dana', 'dana-password-2')).status).toBe(401);
    expect(((await alice.call('GET', '/admin/agents')).body.items as { id: string }[]).map((a) => a.id)).toEqual(['alice', 'amos', 'carol']);
    expect((await alice.call('DELETE', '/admin/agents/dana')).body.error.code).toBe('agent_not_found');

    const lines = await audit(url);
    const mine = lines.filter((l) => l.action.startsWith('agent.')).map((l) => [l.action, l.subject, l.actor]).reverse();
    expect(mine).toEqual([['agent.added', 'dana', 'agent:alice'], ['agent.password_reset', 'dana', 'agent:alice'], ['agent.password_reset', 'carol', 'agent:alice'], ['agent.removed', 'dana', 'agent:alice']]);
  }, 60_000);

  it('keeps the inbox\'s agents when baton.yaml is applied again, and lets the file take over an id it names', async () => {
    fresh();
    let url = await start(V1);
    let alice = await loginAgent(url, 'acme', 'alice', 'alice-password');
    expect((await alice.call('POST', '/admin/agents', { id: 'dana', password: 'dana-password' })).status).toBe(201);
    expect((await alice.call('POST', '/admin/agents', { id: 'erin', password: 'erin-password', admin: true })).status).toBe(201);
    expect((await alice.call('POST', '/admin/agents', { id: 'finn', password: 'finn-password' })).status).toBe(201);
    expect((await alice.call('POST', '/admin/agents/carol/password', { password: 'carol-password' })).status).toBe(200);
    const erin = await loginAgent(url, 'acme', 'erin', 'erin-password');
    const carol = await loginAgent(url, 'acme', 'carol', 'carol-password');
    const finn = await loginAgent(url, 'acme', 'finn', 'finn-password');
    await stop();

    // The same file again: dana and erin stay, their logins too; carol keeps the password set here.
    url = await start(V1);
    expect((await me(url, erin.cookie)).status).toBe(200);
    expect((await me(url, carol.cookie)).status).toBe(200);
    expect((await login(url, 'acme', 'dana', 'dana-password')).status).toBe(200);
    await stop();

    // The file now names dana with a password of its own, and finn without one: the file's from
    // now on; finn keeps the password set on the admin page, and his login.
    url = await start({ accounts: [acme([...FILE_AGENTS, { id: 'dana', name: 'Dana F', password: 'dana-file-password' }, { id: 'finn', name: 'Finn' }])] });
    expect((await me(url, finn.cookie)).status).toBe(200);
    expect((await login(url, 'acme', 'dana', 'dana-password')).status).toBe(401);
    expect((await login(url, 'acme', 'dana', 'dana-file-password')).status).toBe(200);
    alice = await loginAgent(url, 'acme', 'alice', 'alice-password');
    const list = (await alice.call('GET', '/admin/agents')).body.items as { id: string; name: string; managedBy: string }[];
    expect(list.find((a) => a.id === 'dana')).toMatchObject({ name: 'Dana F', managedBy: 'config', passwordFrom: 'config', passwordResettable: false });
    expect(list.find((a) => a.id === 'erin')).toMatchObject({ managedBy: 'inbox' });
    expect((await alice.call('DELETE', '/admin/agents/dana')).body.error.code).toBe('agent_in_config');
    const taken = (await audit(url)).find((l) => l.action === 'config.agents_taken_over');
    expect(taken).toMatchObject({ actor: 'config', details: { agents: ['dana', 'finn'] } });
    expect(list.find((a) => a.id === 'finn')).toMatchObject({ name: 'Finn', managedBy: 'config', passwordFrom: 'inbox', passwordResettable: true });
    await stop();

    // Dropped from the file again, dana and finn go like any file agent; erin, the inbox's, stays.
    url = await start(V1);
    expect((await login(url, 'acme', 'dana', 'dana-file-password')).status).toBe(401);
    expect((await login(url, 'acme', 'finn', 'finn-password')).status).toBe(401);
    expect((await me(url, erin.cookie)).status).toBe(200);
  }, 90_000);

  it('sets the web chat look where the file leaves it open, and the chat status carries it', async () => {
    fresh();
    const url = await start(V1);
    const alice = await loginAgent(url, 'acme', 'alice', 'alice-password');
    const amos = await loginAgent(url, 'acme', 'amos', 'amos-password');
    const status = async (channel: string) => (await http(`${url}/chat/api/acme/${channel}/status`, 'GET')).body.look;

    expect(await status('site')).toEqual({ color: '#4338ca', greeting: null, position: 'bottom-right' });
    expect(await status('shop')).toEqual({ color: '#0f766e', greeting: 'Hello from the file', position: 'bottom-right' });
    expect((await amos.call('PUT', '/admin/channels/site/widget-look', { color: '#123456' })).status).toBe(403);

    for (const color of ['red', '#12345', '#4338ca;background:url(x)', '#ffff00', 'expression(alert(1))']) {
      const res = await alice.call('PUT', '/admin/channels/site/widget-look', { color });
      expect(res.status, color).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await alice.call('PUT', '/admin/channels/site/widget-look', { position: 'top-left' })).status).toBe(400);
    expect(await status('site')).toEqual({ color: '#4338ca', greeting: null, position: 'bottom-right' });

    // The file's fields are read-only; the whole change is refused.
    const locked = await alice.call('PUT', '/admin/channels/shop/widget-look', { color: '#1e3a8a', position: 'bottom-left' });
    expect([locked.status, locked.body.error.code, locked.body.error.details]).toEqual([409, 'widget_look_in_config', { fields: ['color'] }]);
    expect(await status('shop')).toEqual({ color: '#0f766e', greeting: 'Hello from the file', position: 'bottom-right' });
    expect((await alice.call('PUT', '/admin/channels/shop/widget-look', { position: 'bottom-left' })).status).toBe(200);
    expect(await status('shop')).toEqual({ color: '#0f766e', greeting: 'Hello from the file', position: 'bottom-left' });

    const greeting = '<img src=x onerror=alert(1)>\n  Hi there';
    const set = await alice.call('PUT', '/admin/channels/site/widget-look', { color: '#1E3A8A', greeting, position: 'bottom-left' });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ channelId: 'site', look: { color: '#1e3a8a', greeting: '<img src=x onerror=alert(1)> Hi there', position: 'bottom-left' }, fromConfig: [] });
    expect(await status('site')).toEqual(set.body.look);
    const history = await http(`${url}/chat/api/acme/site/history`, 'GET', undefined, { 'x-visitor-token': 'v'.repeat(40) });
    expect(history.body.status.look).toEqual(set.body.look);
    // null puts a field back to its default.
    await alice.call('PUT', '/admin/channels/site/widget-look', { color: null });
    expect((await status('site')).color).toBe('#4338ca');
    expect((await alice.call('GET', '/admin/widget-looks')).body.items).toEqual([
      { channelId: 'shop', look: { color: '#0f766e', greeting: 'Hello from the file', position: 'bottom-left' }, fromConfig: ['color', 'greeting'] },
      { channelId: 'site', look: { color: '#4338ca', greeting: '<img src=x onerror=alert(1)> Hi there', position: 'bottom-left' }, fromConfig: [] },
    ]);
    expect((await alice.call('PUT', '/admin/channels/nope/widget-look', { color: '#123456' })).body.error.code).toBe('channel_not_found');
    const lines = (await audit(url)).filter((l) => l.action === 'widget.look_changed');
    expect(lines.map((l) => [l.subject, l.actor])).toEqual([['site', 'agent:alice'], ['site', 'agent:alice'], ['shop', 'agent:alice']]);
  }, 60_000);
});

describe('baton.yaml widget: is checked', () => {
  it('refuses a colour that is not six hex digits or is too light for white text, and a widget on another kind of channel', async () => {
    const { validateConfig } = await import('../../src/config/load-config.js');
    const base = acme(FILE_AGENTS);
    const withWidget = (widget: unknown, kind = 'webchat') => ({ accounts: [{ ...base, channels: [{ id: 'site', kind, widget }] , services: [] }] });
    expect(() => validateConfig(withWidget({ color: 'red;x' }))).toThrow(/widget\.color: "red;x" is not a colour/);
    expect(() => validateConfig(withWidget({ color: '#fde68a' }))).toThrow(/too light/);
    expect(() => validateConfig(withWidget({ position: 'top' }))).toThrow();
    expect(() => validateConfig(withWidget({ color: '#1e3a8a' }, 'native'))).toThrow(/only a webchat channel has a widget/);
    expect(validateConfig(withWidget({ color: '#1E3A8A', greeting: '  Hi\nthere ' })).accounts[0]!.channels[0]!.widget).toEqual({ color: '#1e3a8a', greeting: 'Hi there' });
  });
});
