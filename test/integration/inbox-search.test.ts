import { afterEach, describe, expect, it } from 'vitest';
import { loginAgent } from '../helpers/inbox-client.js';
import { startServer, type TestServer } from '../helpers/server.js';

function account(id: string, agents: string[]) {
  return {
    id,
    name: id.toUpperCase(),
    apiKeys: [`${id}-api-key-0000000000000`],
    channels: [{ id: 'site', kind: 'webchat' }, { id: 'api', kind: 'native' }, { id: 'sms', kind: 'native' }],
    components: [{ id: 'inbox', kind: 'desk', dialect: 'inbox' }],
    services: [{ id: 'main', channels: ['site', 'api', 'sms'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'desk', desk: 'inbox' } }] }],
    agents: agents.map((a) => ({ id: a, name: a.toUpperCase(), password: `${a}-password` })),
  };
}

const CONFIG = { accounts: [account('acme', ['alice', 'amos']), account('globex', ['bob'])] };

describe.each(['sqlite', 'postgres'] as const)('inbox search on %s', (engine) => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  /** Conversations in two accounts that look alike, so a leak across accounts would show. */
  async function seed() {
    s = await startServer(engine, CONFIG);
    const { url } = s;
    let n = 0;
    const chat = async (acc: string, token: string, text: string, visitor?: Record<string, string>) => {
      const res = await fetch(`${url}/chat/api/${acc}/site/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-visitor-token': token }, body: JSON.stringify({ id: `m-${++n}-000000`, text, ...(visitor ? { visitor } : {}) }) });
      expect(res.status, await res.clone().text()).toBe(201);
    };
    const native = async (acc: string, channel: string, customer: string, text: string) => {
      const res = await s!.call('POST', `/v1/channels/${channel}/messages`, { customer, text }, { authorization: `Bearer ${acc}-api-key-0000000000000` });
      expect(res.status).toBe(201);
      return res.body.conversation.id as string;
    };
    // Web chat takes visitors only while someone can answer.
    const alice = await loginAgent(url, 'acme', 'alice', 'alice-password');
    const bob = await loginAgent(url, 'globex', 'bob', 'bob-password');
    for (const agent of [alice, bob]) expect((await agent.call('PUT', '/presence', { presence: 'online' })).status).toBe(200);
    await chat('acme', 'visitor-token-ada-00000000000000000000', 'Hello, where is my parcel?', { name: 'Ada Lovelace', email: 'ada@example.com' });
    const refund = await native('acme', 'api', 'c-1', 'I want a refund for order 42, it said "50% off"');
    const again = await native('acme', 'sms', 'c-1', 'Me again, from my phone');
    await native('acme', 'api', 'c-2', 'Just a question about delivery');
    await chat('globex', 'visitor-token-ada-00000000000000000000', 'Refund please', { name: 'Ada Globex', email: 'ada@globex.example' });
    await native('globex', 'api', 'c-1', 'refund for order 42 at globex');
    return { alice, bob, refund, again };
  }

  const names = (body: any) => body.items.map((c: any) => c.displayName).sort();

  it('finds by name, email, customer id and message text, in the agent\'s own account only', async () => {
    const { alice, bob, refund } = await seed();
    const byName = (await alice.call('GET', '/search?q=ada')).body;
    expect(byName.items).toHaveLength(1);
    expect(byName.items[0]).toMatchObject({ displayName: 'Ada Lovelace', match: { field: 'name', snippet: 'Ada Lovelace' } });
    expect((await alice.call('GET', '/search?q=ADA%40EXAMPLE')).body.items[0]).toMatchObject({ displayName: 'Ada Lovelace', match: { field: 'email', snippet: 'ada@example.com' } });
    expect(names((await alice.call('GET', '/search?q=c-1')).body)).toEqual(['c-1', 'c-1']);

    const byText = (await alice.call('GET', '/search?q=Refund%20for%20ORDER')).body;
    expect(byText.items.map((c: any) => c.id)).toEqual([refund]);
    expect(byText.items[0].match).toEqual({ field: 'message', snippet: 'I want a refund for order 42, it said "50% off"' });
    // Quotes and LIKE's wildcards are matched as themselves.
    expect((await alice.call('GET', `/search?q=${encodeURIComponent('"50% off"')}`)).body.items.map((c: any) => c.id)).toEqual([refund]);
    expect((await alice.call('GET', '/search?q=50_off')).body.items).toEqual([]);
    // A needle that spells a JSON key of the stored rows finds nothing.
    expect((await alice.call('GET', '/search?q=type')).body.items).toEqual([]);

    // The other account's look-alikes are never found, and its agent never finds acme's.
    expect(names((await bob.call('GET', '/search?q=refund')).body)).toEqual(['Ada Globex', 'c-1']);
    expect(names((await bob.call('GET', '/search?q=ada')).body)).toEqual(['Ada Globex']);
    expect((await bob.call('GET', '/search?q=parcel')).body.items).toEqual([]);
    expect((await bob.call('GET', `/conversations/${refund}/past`)).status).toBe(404);
  }, 60_000);

  it('filters by assignee and status, and pages from recent to older', async () => {
    const { alice, refund, again } = await seed();
    expect((await alice.call('POST', `/conversations/${refund}/take`, {})).status).toBe(200);
    expect((await alice.call('GET', '/search?assignee=me')).body.items.map((c: any) => c.id)).toEqual([refund]);
    expect((await alice.call('GET', '/search?assignee=alice&q=order')).body.items.map((c: any) => c.id)).toEqual([refund]);
    expect((await alice.call('GET', '/search?assignee=amos')).body.items).toEqual([]);
    expect(names((await alice.call('GET', '/search?assignee=unassigned')).body)).toEqual(['Ada Lovelace', 'c-1', 'c-2']);
    expect((await alice.call('POST', `/conversations/${again}/close`, {})).status).toBe(200);
    expect((await alice.call('GET', '/search?status=closed')).body.items.map((c: any) => c.id)).toEqual([again]);
    expect((await alice.call('GET', '/search?status=open&q=c-1')).body.items.map((c: any) => c.id)).toEqual([refund]);

    const seen: string[] = [];
    let next: string | null = null;
    do {
      const page: any = (await alice.call('GET', `/search?limit=1${next ? `&after=${next}` : ''}`)).body;
      expect(page.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.items.map((c: any) => c.id));
      next = page.next;
    } while (next);
    const all = (await alice.call('GET', '/search?limit=50')).body;
    expect(all.items).toHaveLength(4);
    expect(seen).toEqual(all.items.map((c: any) => c.id));
    // Recent first.
    const times = all.items.map((c: any) => c.updatedAt);
    expect([...times].sort().reverse()).toEqual(times);
  }, 60_000);

  it('lists the customer\'s other conversations in the account', async () => {
    const { alice, refund, again } = await seed();
    const past = (await alice.call('GET', `/conversations/${refund}/past`)).body;
    expect(past.items.map((c: any) => c.id)).toEqual([again]);
    expect(past.items[0]).toMatchObject({ customer: 'c-1', channelId: 'sms', lastMessage: { text: 'Me again, from my phone' } });
  }, 60_000);

  it('ties a web chat visitor\'s conversations from two browsers together by the email they left, and says so', async () => {
    const { alice } = await seed();
    const chat = async (acc: string, token: string, id: string, text: string, visitor: Record<string, string>) => {
      const res = await fetch(`${s!.url}/chat/api/${acc}/site/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-visitor-token': token }, body: JSON.stringify({ id, text, visitor }) });
      expect(res.status, await res.clone().text()).toBe(201);
    };
    // Ada again, from another browser (another visitor token), with her email in capitals; and
    // someone whose email only contains hers.
    await chat('acme', 'visitor-token-ada-laptop-0000000000000000', 'm-laptop-000001', 'Ada here, from my laptop', { email: 'ADA@example.com' });
    await chat('acme', 'visitor-token-other-000000000000000000000', 'm-other-0000001', 'Not Ada', { email: 'notada@example.com' });
    const find = async (q: string) => (await alice.call('GET', `/search?q=${encodeURIComponent(q)}`)).body.items[0].id as string;
    const phone = await find('where is my parcel');
    const laptop = await find('from my laptop');
    const past = (await alice.call('GET', `/conversations/${phone}/past`)).body;
    expect(past.items.map((c: any) => c.id)).toEqual([laptop]);
    expect(past.items[0]).toMatchObject({ sameEmail: true, lastMessage: { text: 'Ada here, from my laptop' } });
    expect((await alice.call('GET', `/conversations/${laptop}/past`)).body.items.map((c: any) => c.id)).toEqual([phone]);
    // The same customer address is not an email match.
    const refund = await find('refund for order 42');
    expect((await alice.call('GET', `/conversations/${refund}/past`)).body.items[0]).toMatchObject({ customer: 'c-1', sameEmail: false });
  }, 60_000);

  it('refuses a bad query with a clear 400 and changes nothing', async () => {
    const { alice } = await seed();
    const bad = async (qs: string, code: string, words: RegExp) => {
      const res = await alice.call('GET', `/search?${qs}`);
      expect(res.status, qs).toBe(400);
      expect(res.body.error.code, qs).toBe(code);
      expect(res.body.error.message, qs).toMatch(words);
    };
    await bad('q=a', 'validation_failed', /at least 2 characters/);
    await bad(`q=${'x'.repeat(201)}`, 'validation_failed', /q/);
    await bad('status=pending', 'validation_failed', /status/);
    await bad('limit=0', 'validation_failed', /limit/);
    await bad('limit=51', 'validation_failed', /limit/);
    await bad('assignee=bob', 'validation_failed', /No agent bob in this account/);
    await bad('after=not-a-cursor', 'bad_request', /cursor/);
    await bad('sort=name', 'validation_failed', /sort|additional/i);
    expect((await alice.call('GET', '/search?q=ada')).body.items).toHaveLength(1);
  }, 60_000);
});
