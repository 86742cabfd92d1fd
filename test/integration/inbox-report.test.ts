import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { type AgentClient, loginAgent, visitor } from '../helpers/inbox-client.js';
import { startServer, type TestServer } from '../helpers/server.js';

const MIN = 60_000;
const KEY = 'acme-api-key-0000000000000';

function account(id: string, agents: { id: string; name: string; admin?: boolean }[]) {
  return {
    id,
    name: id.toUpperCase(),
    apiKeys: [`${id}-api-key-0000000000000`],
    channels: [{ id: 'site', kind: 'webchat' }],
    components: [{ id: 'bot', kind: 'bot', dialect: 'native' }, { id: 'inbox', kind: 'desk', dialect: 'inbox' }],
    services: [{ id: 'main', channels: ['site'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: 'bot', desk: 'inbox' } }] }],
    agents: agents.map((a) => ({ id: a.id, name: a.name, password: `${a.id}-password`, ...(a.admin ? { admin: true } : {}) })),
  };
}

const CONFIG = {
  accounts: [
    account('acme', [{ id: 'alice', name: 'Alice', admin: true }, { id: 'amos', name: 'Amos' }, { id: 'ada', name: 'Ada' }]),
    account('globex', [{ id: 'gina', name: 'Gina', admin: true }]),
  ],
};

/** Ten past eight on a Tuesday, UTC: "today" began eight hours ago. */
const START = '2026-03-10T08:10:00.000Z';

describe.each(['sqlite', 'postgres'] as const)('the inbox report on %s', (engine) => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  /**
   * Four chats, each through the real commands: one waits 4 min and is answered 2 min after its
   * take, one waits 2 min and is answered after 1, one is still queued, and one alice takes over
   * from the bot and answers after 2 min.
   */
  async function day(clock: ManualClock) {
    s = await startServer(engine, CONFIG, { clock });
    const url = s.url;
    const alice = await loginAgent(url, 'acme', 'alice', 'alice-password');
    const amos = await loginAgent(url, 'acme', 'amos', 'amos-password');
    const chat = async (n: number) => {
      const said = await visitor(url, 'acme', 'site', `report-visitor-token-${n}-00000000000000000`).say('hello');
      expect(said.status).toBe(201);
      return (await s!.baton.queries.message('acme', said.body.message.id)).conversationId;
    };
    const handover = async (id: string) => expect((await s!.call('POST', `/v1/conversations/${id}/handover`, { note: 'asked for a human' }, { authorization: `Bearer ${KEY}` })).status).toBe(200);
    const act = async (agent: AgentClient, id: string, what: string, body: unknown = {}) => expect((await agent.call('POST', `/conversations/${id}/${what}`, body)).status).toBe(200);
    const at = (minutes: number) => clock.set(new Date(Date.parse(START) + minutes * MIN));

    const [c1, c2, c3, c4] = [await chat(1), await chat(2), await chat(3), await chat(4)];
    at(0); await handover(c1!);
    at(1); await handover(c2!);
    at(2); await handover(c3!);
    at(3); await act(amos, c2!, 'take');
    at(4); await act(alice, c1!, 'take'); await act(amos, c2!, 'reply', { text: 'Amos here.' });
    at(5); await act(alice, c4!, 'take');
    at(6); await act(alice, c1!, 'reply', { text: 'Alice here.' });
    at(7); await act(alice, c4!, 'reply', { text: 'I took this one from the bot.' });
    at(8); await act(alice, c1!, 'close');
    at(30);
    return { url, alice, amos };
  }

  it('gives an admin the figures of their own account for today, the last 7 and the last 30 days', async () => {
    const clock = new ManualClock(START);
    const { url, alice } = await day(clock);
    // A login lasts twelve hours: a day later the admin logs in again.
    const report = async (query = '') => (await (await loginAgent(url, 'acme', 'alice', 'alice-password')).call('GET', `/admin/report${query}`)).body;
    const today = await alice.call('GET', '/admin/report');
    expect(today.status).toBe(200);
    expect(today.body).toEqual({
      period: 'today',
      since: '2026-03-10T00:00:00.000Z',
      until: '2026-03-10T08:40:00.000Z',
      handedOver: 3, // the takeover is no handover
      taken: 3, // alice's two (one of them the takeover) and amos's one
      waitMedianMs: 2 * MIN, // of 2 and 4 min; the takeover did not wait
      waitP90Ms: 4 * MIN,
      firstResponseMedianMs: 2 * MIN, // of 1, 2 and 2 min
      agents: [
        { id: 'ada', name: 'Ada', taken: 0, closed: 0, firstResponseMedianMs: null },
        { id: 'alice', name: 'Alice', taken: 2, closed: 1, firstResponseMedianMs: 2 * MIN },
        { id: 'amos', name: 'Amos', taken: 1, closed: 0, firstResponseMedianMs: 1 * MIN },
      ],
      sampled: false,
    });
    expect((await alice.call('GET', '/admin/report?period=today')).body).toEqual(today.body);

    // The next day, 16 hours on: today is empty, the last 7 and 30 days still hold it all.
    clock.set('2026-03-11T00:30:00.000Z');
    const next = await report();
    expect(next).toMatchObject({ since: '2026-03-11T00:00:00.000Z', handedOver: 0, taken: 0, waitMedianMs: null, waitP90Ms: null, firstResponseMedianMs: null });
    expect(next.agents.map((a: any) => [a.id, a.taken, a.closed, a.firstResponseMedianMs])).toEqual([['ada', 0, 0, null], ['alice', 0, 0, null], ['amos', 0, 0, null]]);
    for (const period of ['7d', '30d']) {
      const r = await report(`?period=${period}`);
      expect(r).toMatchObject({ period, until: '2026-03-11T00:30:00.000Z', handedOver: 3, taken: 3, waitMedianMs: 2 * MIN, waitP90Ms: 4 * MIN, firstResponseMedianMs: 2 * MIN });
    }
    clock.set('2026-03-18T08:00:00.000Z');
    expect(await report('?period=7d')).toMatchObject({ handedOver: 0, taken: 0 });
    expect(await report('?period=30d')).toMatchObject({ handedOver: 3, taken: 3 });
  }, 60_000);

  it('refuses agents who are not admins, and periods it does not know, and shows another account nothing', async () => {
    const clock = new ManualClock(START);
    const { url, amos, alice } = await day(clock);
    const refused = await amos.call('GET', '/admin/report');
    expect([refused.status, refused.body.error.code]).toEqual([403, 'forbidden']);
    expect((await fetch(`${url}/inbox/api/admin/report`)).status).toBe(401);
    for (const bad of ['week', '1d', '', 'TODAY', '7']) {
      const res = await alice.call('GET', `/admin/report?period=${bad}`);
      expect([res.status, res.body.error.code], bad).toEqual([400, 'validation_failed']);
      expect(res.body.error.message, bad).toMatch(/\w+ \w+/);
    }
    const gina = await loginAgent(url, 'globex', 'gina', 'gina-password');
    const theirs = (await gina.call('GET', '/admin/report?period=30d')).body;
    expect(theirs).toMatchObject({ handedOver: 0, taken: 0, waitMedianMs: null, firstResponseMedianMs: null, agents: [{ id: 'gina', name: 'Gina', taken: 0, closed: 0, firstResponseMedianMs: null }] });
  }, 60_000);
});
