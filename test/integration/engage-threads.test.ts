import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { AGENT_CATEGORY, API_KEY, BOT_CATEGORY, CUSTOMER, engageConfig, engageEvents, engageFixture, OTHER_CATEGORY, OWNER_AGENT, SOURCE, TOKENS } from '../helpers/engage-setup.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';

// Seed 003: "Opening the intervention is only necessary for customer messages without
// intervention_id and first in thread." A customer who comes back after the source's thread
// inclusion delay, or after the thread was closed, is in a new thread, so the bot opens one again.
// And the humans' intervention reopens only for the humans: while the bot has the thread back,
// nothing reopens, and each handover is a new intervention.

const at = (day: string, hhmmss: string) => `2018-11-${day}T${hhmmss}.000Z`;
/** The document's sample content.imported is issued at this instant. */
const SAMPLE_AT = '2018-11-09T15:59:59.770Z';
const SAMPLE_CONTENT = '223cea8921c616e560b24d1f';
const toAgents = [['thread_category_ids[]', OTHER_CATEGORY], ['thread_category_ids[]', AGENT_CATEGORY]] as [string, string][];
const toBot = [['thread_category_ids[]', OTHER_CATEGORY], ['thread_category_ids[]', BOT_CATEGORY]] as [string, string][];

describe.each(['sqlite', 'postgres'] as const)('Engage threads and interventions on %s', (engine) => {
  let s: TestServer | undefined;
  let bot: Receiver | undefined;
  afterEach(async () => {
    await s?.close();
    await bot?.close();
    s = undefined;
    bot = undefined;
  });

  async function setup(start: string, opts: Parameters<typeof engageConfig>[1] = {}) {
    bot = await startReceiver(() => ({ status: 200, body: '' }));
    const clock = new ManualClock(start);
    s = await startServer(engine, engageConfig(`${bot.url}/engage`, opts), { clock, apiKey: API_KEY });
    const server = s;
    const customer = async (text: string, messageId: string) => {
      const res = await server.call('POST', `/v1/channels/${SOURCE}/messages`, { customer: CUSTOMER, text, messageId, visitor: { language: 'fr' } });
      expect(res.status).toBe(201);
      return { thread: res.body.conversation.id as string, contentId: res.body.message.id as string };
    };
    const api = async (method: string, path: string, query: [string, string][] = []) => {
      const q = new URLSearchParams([...query, ['access_token', TOKENS.bot]]);
      const res = await fetch(`${server.url}/1.0${path}?${q}`, { method });
      const text = await res.text();
      return { status: res.status, text, json: text ? JSON.parse(text) : null };
    };
    const drain = () => server.baton.dispatcher.drain();
    /** What the bot's webhook got for each content, in order. */
    const contents = () => engageEvents(bot!).filter((e) => e.event.type === 'content.imported').map((e) => ({ body: e.body, ...e.event.resource.metadata }));
    const online = () => server.call('PUT', `/v1/agents/${OWNER_AGENT}/presence`, { presence: 'online' });
    const agentReplies = (thread: string, text: string) => server.call('POST', `/v1/conversations/${thread}/replies`, { componentId: 'inbox', authorKind: 'agent', agentId: OWNER_AGENT, text });
    const agentCloses = (thread: string) => server.call('POST', `/v1/conversations/${thread}/close`, { scope: 'agent_session', agentId: OWNER_AGENT });
    return { s: server, clock, customer, api, drain, contents, online, agentReplies, agentCloses };
  }

  it('starts a new thread for a customer back after the thread inclusion delay: the document\'s first-in-thread content, and the bot opens its intervention again', async () => {
    const { clock, customer, api, drain, contents } = await setup(at('08', '10:00:00'));
    // The first visit: the bot opens its intervention, answers, and leaves it open (closing is optional).
    const visit = await customer('salut', 'visit-1');
    const thread = visit.thread;
    const firstIntervention = (await api('POST', '/interventions', [['content_id', visit.contentId]])).json.id;
    const answer = await api('POST', '/contents', [['in_reply_to_id', visit.contentId], ['body', 'Bonjour !']]);
    expect(answer.json).toMatchObject({ thread_id: thread, intervention_id: firstIntervention });

    // A day later, far past the 30 minutes: exactly the document's sample content.imported, in a new thread.
    clock.set(SAMPLE_AT);
    const back = await customer('I don\'t know', SAMPLE_CONTENT);
    expect(back.thread).toBe(thread);
    await drain();
    const next = `${thread}.2`;
    const hook = engageEvents(bot!).at(-1)!;
    expect(hook.body).toBe(engageFixture('content-imported', { deliveryId: hook.envelope.id, eventId: hook.event.id, contentId: back.contentId, threadId: next }));
    // the bot's own answer came back too, in its intervention
    expect(contents().map((c) => [c.thread_id, c.first_in_thread, c.intervention_id])).toEqual([
      [thread, true, null],
      [thread, false, firstIntervention],
      [next, true, null],
    ]);

    // The bot follows the document: first in thread, no intervention_id, so it opens one; the old one ended with its thread.
    clock.set(at('09', '16:00:05'));
    const opened = await api('POST', '/interventions', [['content_id', back.contentId]]);
    expect(opened.status).toBe(200);
    expect(opened.text).toBe(engageFixture('intervention-opened', { interventionId: opened.json.id, threadId: next, contentId: back.contentId }));
    expect(opened.json.id).not.toBe(firstIntervention);
    expect((await api('GET', `/interventions/${firstIntervention}`)).json).toMatchObject({ id: firstIntervention, thread_id: thread, closed: true });

    // Each content stays in its thread; the earlier thread is over and cannot change.
    expect((await api('GET', `/contents/${visit.contentId}`)).json).toMatchObject({ thread_id: thread, intervention_id: null });
    expect((await api('GET', `/contents/${back.contentId}`)).json).toMatchObject({ thread_id: next, intervention_id: opened.json.id });
    expect((await api('GET', `/content_threads/${thread}`)).json).toMatchObject({ id: thread, closed: true, contents_count: 2, title: 'salut', created_at: '2018-11-08T10:00:00Z', last_content_at: '2018-11-08T10:00:00Z' });
    expect((await api('GET', `/content_threads/${next}`)).json).toMatchObject({ id: next, closed: false, contents_count: 1, title: 'I don\'t know', created_at: '2018-11-09T15:59:59Z', interventions_count: 1, thread_category_ids: [OTHER_CATEGORY, BOT_CATEGORY] });
    const over = await api('PUT', `/content_threads/${thread}/update_categories`, toAgents);
    expect([over.status, over.json]).toEqual([409, { error: 'invalid_transition', message: `Thread ${thread} is over: the customer's conversation went on in thread ${next}.`, status: 409 }]);
    expect((await api('GET', `/content_threads/${thread}.3`)).json).toMatchObject({ error: 'not_found', status: 404 });
    expect((await api('GET', `/content_threads/${thread}.1`)).status).toBe(404);
  });

  it('keeps the thread for a customer who writes again within the delay', async () => {
    const { clock, customer, drain, contents } = await setup(at('09', '15:00:00'));
    const first = await customer('salut', 'visit-1');
    clock.set(at('09', '15:29:00'));
    await customer('encore moi', 'visit-2');
    clock.set(at('09', '15:58:00'));
    await customer('toujours là', 'visit-3');
    await drain();
    expect(contents().map((c) => [c.thread_id, c.first_in_thread])).toEqual([[first.thread, true], [first.thread, false], [first.thread, false]]);
  });

  it('starts a new thread after PUT /1.0/content_threads/{id}/close: new id, first in thread, no intervention, nothing reopened', async () => {
    const { s, clock, customer, api, drain, contents, online, agentReplies, agentCloses } = await setup(at('09', '15:00:00'));
    const first = await customer('salut', 'visit-1');
    const thread = first.thread;
    await online();
    await api('PUT', `/content_threads/${thread}/update_categories`, toAgents);
    const humans = (await s.call('GET', `/v1/conversations/${thread}`)).body.conversation.agentSession.id;
    await agentReplies(thread, 'Amelie here');
    await agentCloses(thread);
    const closed = await api('PUT', `/content_threads/${thread}/close`);
    expect(closed.json).toMatchObject({ id: thread, closed: true });

    clock.set(at('09', '15:05:00'));
    await customer('a new question', 'visit-2');
    await drain();
    const last = contents().at(-1)!;
    expect(last).toMatchObject({ thread_id: `${thread}.2`, first_in_thread: true, intervention_id: null, category_ids: [OTHER_CATEGORY, BOT_CATEGORY], thread_title: 'a new question', status: 'assigned' });
    expect(engageEvents(bot!).map((e) => e.event.type)).not.toContain('intervention.reopened');
    // the humans' intervention is the earlier thread's
    expect((await api('GET', `/interventions/${humans}`)).json).toMatchObject({ id: humans, thread_id: thread, closed: true });
    expect((await api('GET', `/content_threads/${thread}.2`)).json).toMatchObject({ closed: false, contents_count: 1, interventions_count: 0 });
  });

  describe.each([
    ['Baton\'s reopenPolicy bot-first', 'bot-first'],
    ['the bot recategorising the thread to BOT on intervention.closed (seed 003 case 2)', 'agent-first'],
  ] as const)('the bot handles first after the agents: %s', (_how, reopenPolicy) => {
    it('sends no intervention.reopened while the bot answers, and opens a new intervention at every BOT -> AGENT handover', async () => {
      const { s, clock, customer, api, drain, contents, online, agentReplies, agentCloses } = await setup(at('09', '15:00:00'), { reopenPolicy });
      const first = await customer('I don\'t know', SAMPLE_CONTENT);
      const thread = first.thread;
      await online();
      const interventions: string[] = [];
      for (const round of [1, 2, 3]) {
        clock.set(at('09', `15:${String(round * 10).padStart(2, '0')}:00`));
        const handover = await api('PUT', `/content_threads/${thread}/update_categories`, toAgents);
        expect(handover.json.thread_category_ids).toEqual([OTHER_CATEGORY, AGENT_CATEGORY]);
        const session = (await s.call('GET', `/v1/conversations/${thread}`)).body.conversation.agentSession;
        expect(session).toMatchObject({ status: 'queued', reason: 'recategorised' });
        interventions.push(session.id);
        await customer(`round ${round}, for the humans`, `humans-${round}`);
        await agentReplies(thread, `Amelie, round ${round}`);
        await agentCloses(thread);
        await drain();
        const closed = engageEvents(bot!).at(-1)!.event;
        expect(closed).toMatchObject({ type: 'intervention.closed', user_id: OWNER_AGENT, resource: { id: session.id, thread_id: thread } });
        if (reopenPolicy === 'agent-first') expect((await api('PUT', `/content_threads/${thread}/update_categories`, toBot)).json.thread_category_ids).toEqual([OTHER_CATEGORY, BOT_CATEGORY]);
        expect((await s.call('GET', `/v1/conversations/${thread}`)).body.conversation.controller).toBe('bot');

        // Within the delay: the same thread, the bot's, and no intervention to reopen.
        clock.set(at('09', `15:${String(round * 10 + 5).padStart(2, '0')}:00`));
        const back = await customer(`round ${round}, back`, `back-${round}`);
        await drain();
        expect(contents().at(-1)).toMatchObject({ body: `round ${round}, back`, thread_id: thread, first_in_thread: false, intervention_id: null, category_ids: [OTHER_CATEGORY, BOT_CATEGORY], status: 'assigned' });
        const answer = await api('POST', '/contents', [['in_reply_to_id', back.contentId], ['body', `Bot, round ${round}`]]);
        expect(answer.status).toBe(200);
        expect(answer.json).toMatchObject({ intervention_id: null, thread_id: thread });
        expect((await api('GET', `/interventions/${session.id}`)).json).toMatchObject({ closed: true, status: 'closed' });
      }
      expect(new Set(interventions).size).toBe(3);
      const types = engageEvents(bot!).map((e) => e.event.type);
      expect(types).not.toContain('intervention.reopened');
      expect(types.filter((t) => t === 'intervention.closed')).toHaveLength(3);
      // each humans' content carries the intervention of its round
      expect(contents().filter((c) => String(c.body).endsWith('for the humans')).map((c) => c.intervention_id)).toEqual(interventions);
      const events = (await s.call('GET', `/v1/conversations/${thread}/events?limit=1000`)).body.items.map((e: any) => e.type);
      expect(events).not.toContain('agent_session.reopened');
    });
  });
});
