#!/usr/bin/env node
// A RingCentral Engage Digital "full API chatbot integration", written only against Engage's
// documented webhooks and REST API (through the ringcentral-engage-client package): it answers
// contents categorised BOT, opens and closes its own interventions for statistics, checks agent
// availability before a handover, hands over by recategorising the thread BOT -> AGENT, and, with
// REOPEN_POLICY=bot-first, takes the thread back (AGENT -> BOT) when the agents close their
// intervention. Nothing in it knows about Baton: point ENGAGE_SERVER at any Engage platform.
//
//   PORT=3002 ENGAGE_SERVER=http://127.0.0.1:8080 API_ACCESS_TOKEN=... BOT_CATEGORY_ID=BOT \
//   AGENT_CATEGORY_ID=AGENT [REOPEN_POLICY=bot-first] [VERIFY_TOKEN=...] node bot.mjs
import { createServer } from 'node:http';
import engageClient from 'ringcentral-engage-client';

// A webpack CommonJS build: its class is the default import or that import's `default`.
const RingCentralEngage = typeof engageClient === 'function' ? engageClient : engageClient.default;

const env = process.env;
const port = Number(env.PORT ?? 3002);
for (const name of ['ENGAGE_SERVER', 'API_ACCESS_TOKEN', 'BOT_CATEGORY_ID', 'AGENT_CATEGORY_ID']) {
  if (!env[name]) {
    console.error(`Set ${name}.`);
    process.exit(2);
  }
}
const BOT = env.BOT_CATEGORY_ID;
const AGENT = env.AGENT_CATEGORY_ID;
const botFirst = env.REOPEN_POLICY === 'bot-first';
const rc = new RingCentralEngage({ apiToken: env.API_ACCESS_TOKEN, server: env.ENGAGE_SERVER });

/** Every webhook event received, for whoever wants to look (GET /transcript). */
const transcript = [];
/** Per thread: its categories as the last content said, and the bot's open intervention. */
const threads = new Map();
const thread = (id) => threads.get(id) ?? threads.set(id, { categories: [], intervention: null }).get(id);

const swap = (categories, from, to) => [...categories.filter((c) => c !== from && c !== to), to];

async function reply(meta, contentId, body) {
  // As the document's curl: a form with source_id, in_reply_to_id and body.
  const form = new URLSearchParams({ source_id: meta.source_id, in_reply_to_id: contentId, body });
  await rc.post('/1.0/contents', form.toString());
}

/** Is an agent with the AGENT category available? Cross-references /status with /users. */
async function agentsAvailable() {
  const [status, users] = await Promise.all([rc.get('/1.0/status'), rc.get('/1.0/users', { params: { category_id: AGENT } })]);
  const skilled = new Set(users.data.records.map((u) => u.id));
  return status.data.some((s) => skilled.has(s.agent_id) && Object.values(s.status).includes('available'));
}

async function closeIntervention(t) {
  if (!t.intervention) return;
  await rc.put(`/1.0/interventions/${t.intervention}/close`);
  t.intervention = null;
}

async function onContent(contentId, meta) {
  const t = thread(meta.thread_id);
  t.categories = meta.category_ids;
  // Agents' contents and the bot's own come back too: only collated.
  if (meta.creator_id !== null) return;
  // Categorised AGENT: the humans have it; the bot does not answer.
  if (!meta.category_ids.includes(BOT)) return;
  // For statistics, an intervention of the bot's own before its first answer.
  if (meta.intervention_id === null && !t.intervention) t.intervention = (await rc.post('/1.0/interventions', { content_id: contentId })).data.id;
  const text = String(meta.body ?? '');
  if (/human|agent|person/i.test(text)) {
    if (!(await agentsAvailable())) {
      await reply(meta, contentId, 'Nobody is available right now; I will keep helping you.');
      return;
    }
    await reply(meta, contentId, 'Let me get you a colleague.');
    await closeIntervention(t);
    // The handover: the thread's categories without BOT, with AGENT.
    await rc.put(`/1.0/content_threads/${meta.thread_id}/update_categories`, undefined, { params: { thread_category_ids: swap(t.categories, BOT, AGENT) } });
  } else if (/\b(bye|thanks)\b/i.test(text)) {
    await reply(meta, contentId, 'Goodbye!');
    await closeIntervention(t);
  } else {
    await reply(meta, contentId, `Hello! You said: ${text}. Ask for a human any time.`);
  }
}

async function onEvent(event) {
  transcript.push(event);
  if (event.type === 'content.imported') await onContent(event.resource.id, event.resource.metadata);
  // The bot handles first after the agents: it takes the thread back as soon as they close.
  if (event.type === 'intervention.closed' && botFirst) {
    const t = thread(event.resource.thread_id);
    await rc.put(`/1.0/content_threads/${event.resource.thread_id}/update_categories`, undefined, { params: { thread_category_ids: swap(t.categories, AGENT, BOT) } });
  }
}

// Events are handled one at a time, in the order they came: a recategorisation is done before
// the next content is looked at.
let queue = Promise.resolve();

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/transcript') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(transcript));
    return;
  }
  if (req.method === 'GET' && url.searchParams.get('hub.mode') === 'subscribe') {
    // Engage's subscription validation: answer the challenge, if the verify token is ours.
    const ok = url.searchParams.get('hub.verify_token') === (env.VERIFY_TOKEN ?? '');
    res.writeHead(ok ? 200 : 403, { 'content-type': 'text/html' }).end(ok ? url.searchParams.get('hub.challenge') ?? '' : '');
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let payload;
    try {
      payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    // Acknowledge at once with a 200; the work happens after.
    res.writeHead(200).end();
    for (const event of payload.events ?? []) {
      queue = queue.then(() => onEvent(event)).catch((err) => console.error(`handling ${event.type} failed: ${err.response ? `${err.response.status} ${JSON.stringify(err.response.data)}` : err.message}`));
    }
  });
});

server.listen(port, '127.0.0.1', () => console.log(`engage-bot listening on http://127.0.0.1:${server.address().port}`));
