import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { batonHome, type BatonHome, callBaton } from '../helpers/child-baton.js';
import { ACCOUNT, AGENT_CATEGORY, API_KEY, BOT_CATEGORY, engageConfig, engageEvents, OTHER_CATEGORY, SOURCE } from '../helpers/engage-setup.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';

const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;

describe.each(['sqlite', 'postgres'] as const)('the emergency handover of seed 003 on %s', (engine) => {
  let s: TestServer | undefined;
  let bot: Receiver | undefined;
  afterEach(async () => {
    await s?.close();
    await bot?.close();
    s = undefined;
    bot = undefined;
  });

  it('switches a source\'s default categorisation for new threads, and the account rule for existing ones; both go back', async () => {
    bot = await startReceiver(() => ({ status: 200, body: '' }));
    s = await startServer(engine, engageConfig(`${bot.url}/engage`, { availability: 'queue' }), { apiKey: API_KEY });
    const server = s;
    const say = async (customer: string, text: string, channel = SOURCE) => (await server.call('POST', `/v1/channels/${channel}/messages`, { customer, text })).body;
    const state = async (id: string) => {
      const c = (await server.call('GET', `/v1/conversations/${id}`)).body.conversation;
      return [c.controller, c.categories];
    };
    const onBot = ['bot', [OTHER_CATEGORY, BOT_CATEGORY]];
    const onAgents = ['desk', [OTHER_CATEGORY, AGENT_CATEGORY]];

    const a = (await say('cust-a', 'hello')).conversation.id;
    const mailBefore = (await say('cust-m', 'hello', 'mail')).conversation.id;

    // "Deactivate Bot connected sources default categorization": new threads on the source only
    const on = await s.call('POST', `/v1/channels/${SOURCE}/emergency`, { on: true });
    expect(on.body).toEqual({ channelId: SOURCE, emergency: true });
    expect((await s.call('GET', '/v1/channels')).body.items.find((c: any) => c.id === SOURCE).emergency).toBe(true);
    const b = await say('cust-b', 'hello');
    expect(b.events.map((e: any) => e.type)).toEqual(['conversation.opened', 'agent_session.opened', 'message.received']);
    expect(await state(b.conversation.id)).toEqual(onAgents);
    expect(await state((await say('cust-a', 'still there?')).conversation.id)).toEqual(onBot);
    expect((await say('cust-n', 'hello', 'mail')).conversation.controller).toBe('bot');
    const botReply = await s.call('POST', `/v1/conversations/${b.conversation.id}/replies`, { componentId: 'engagebot', text: 'me?' });
    expect(botReply.body.error.code).toBe('component_disabled');

    expect((await s.call('POST', `/v1/channels/${SOURCE}/emergency`, { on: false })).body.emergency).toBe(false);
    const d = (await say('cust-d', 'hello')).conversation.id;
    expect(await state(d)).toEqual(onBot);
    expect(await state(b.conversation.id)).toEqual(onAgents);

    // "Activate Emergency Handover rule": every existing BOT thread is recategorised AGENT
    const rule = await s.call('POST', '/v1/emergency', { on: true });
    expect(rule.body).toMatchObject({ emergency: true, failed: [] });
    expect(rule.body.conversations).toBe(4);
    for (const id of [a, d]) expect(await state(id)).toEqual(onAgents);
    expect((await state(mailBefore))[1]).toEqual([AGENT_CATEGORY]);
    const e = (await say('cust-e', 'hello')).conversation.id;
    expect(await state(e)).toEqual(onAgents);

    const off = await s.call('POST', '/v1/emergency', { on: false });
    expect(off.body.emergency).toBe(false);
    for (const id of [a, d, e]) expect(await state(id)).toEqual(onBot);
    // the thread born under the source's switch was the humans' from the start: it stays theirs
    expect(await state(b.conversation.id)).toEqual(onAgents);

    // the bot saw each content with the categories of its moment
    await s.baton.dispatcher.drain();
    const categoriesOf = (thread: string) => engageEvents(bot!).filter((x) => x.event.resource.metadata.thread_id === thread).map((x) => x.event.resource.metadata.category_ids);
    expect(categoriesOf(b.conversation.id)).toEqual([[OTHER_CATEGORY, AGENT_CATEGORY]]);
    expect(categoriesOf(e)).toEqual([[OTHER_CATEGORY, AGENT_CATEGORY]]);
    expect(categoriesOf(a)).toEqual([[OTHER_CATEGORY, BOT_CATEGORY], [OTHER_CATEGORY, BOT_CATEGORY]]);
    expect((await s.call('POST', '/v1/channels/nope/emergency', { on: true })).status).toBe(404);
  });
});

describe('baton emergency (the command line) against a running Baton', () => {
  let home: BatonHome | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'baton-emergency-'));
  afterEach(async () => {
    await home?.dispose();
    home = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  function cli(args: string[]) {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BATON_')));
    return spawnSync(process.execPath, [MAIN, 'emergency', ...args], { encoding: 'utf8', env: { ...env, BATON_DATA_DIR: join(dir, 'data') }, timeout: 30_000 });
  }

  it('switches a source and the account on and off, for new and existing threads', async () => {
    home = batonHome('sqlite', engageConfig('http://127.0.0.1:9/engage', { availability: 'queue' }), { BATON_DATA_DIR: join(dir, 'data') });
    const baton = await home.start();
    const say = async (customer: string) => (await callBaton(baton.url, API_KEY, 'POST', `/v1/channels/${SOURCE}/messages`, { customer, text: 'hello' })).body.conversation;
    const controller = async (id: string) => (await callBaton(baton.url, API_KEY, 'GET', `/v1/conversations/${id}`)).body.conversation.controller;
    const existing = await say('cli-a');

    const sourceOn = cli(['on', '--account', ACCOUNT, '--source', SOURCE]);
    expect(sourceOn.stderr).toBe('');
    expect(sourceOn.status).toBe(0);
    expect(sourceOn.stdout).toContain(`channel ${SOURCE}: emergency on; new threads go to the humans`);
    expect((await say('cli-b')).controller).toBe('desk');
    expect(await controller(existing.id)).toBe('bot');

    const accountOn = cli(['on', '--account', ACCOUNT]);
    expect(accountOn.stdout).toContain('emergency handover on; 1 conversation(s) moved');
    expect(await controller(existing.id)).toBe('desk');

    const keep = cli(['off', '--account', ACCOUNT, '--keep-with-agents']);
    expect(keep.stdout).toContain('emergency handover off; 0 conversation(s) back with their bot (no bot told), 1 left with the humans');
    expect(await controller(existing.id)).toBe('desk');
    await callBaton(baton.url, API_KEY, 'POST', `/v1/conversations/${existing.id}/handback`, { by: 'inbox' });
    expect(await controller(existing.id)).toBe('bot');
    // Between two runs of the command a call to Baton, always: each run blocks this process longer than Baton keeps an idle connection.
    expect(cli(['on', '--account', ACCOUNT]).status).toBe(0);
    expect(await controller(existing.id)).toBe('desk');
    const quiet = cli(['off', '--account', ACCOUNT, '--quietly']);
    expect(quiet.stdout).toContain('1 conversation(s) back with their bot (no bot told), 0 left with the humans');
    expect(await controller(existing.id)).toBe('bot');
    const events = (await callBaton(baton.url, API_KEY, 'GET', `/v1/conversations/${existing.id}/events`)).body.items;
    expect(events.at(-1)).toMatchObject({ type: 'handback', data: { reason: 'emergency_ended', quiet: true } });
    expect(cli(['on', '--account', ACCOUNT]).status).toBe(0);
    expect(await controller(existing.id)).toBe('desk');

    expect(cli(['off', '--account', ACCOUNT]).status).toBe(0);
    expect(await controller(existing.id)).toBe('bot');
    expect(cli(['off', '--account', ACCOUNT, '--source', SOURCE]).status).toBe(0);
    expect((await say('cli-c')).controller).toBe('bot');

    const usage = cli(['maybe', '--account', ACCOUNT]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('Usage: baton emergency on|off');
    const unknown = cli(['on', '--account', ACCOUNT, '--source', 'nope']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('No channel nope');
    // A choice only switches the account off, and only one at a time (last: no call to Baton follows).
    for (const args of [['on', '--quietly'], ['off', '--quietly', '--keep-with-agents'], ['off', '--source', SOURCE, '--quietly'], ['off', '--quietly=yes']]) {
      const r = cli([...args, '--account', ACCOUNT]);
      expect([r.status, r.stderr.includes('--quietly')]).toEqual([2, true]);
    }
  }, 120_000);
});
