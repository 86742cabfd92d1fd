#!/usr/bin/env node
// A Chatwoot agent bot, written only against Chatwoot's documented agent-bot webhooks and its
// application API (no dependencies: Node's http, crypto and fetch). It verifies every webhook's
// X-Chatwoot-Signature, drops repeats of an X-Chatwoot-Delivery it already handled, answers the
// contact while the conversation is `pending` (the bot's), ignores outgoing messages (its own
// and the agents'), offers a menu as an `input_select`, hands over with `toggle_status open`
// after a private note for the agents, and greets the contact again when the agents set the
// conversation back to `pending`. Nothing in it knows about Baton: point CHATWOOT_URL at any Chatwoot.
//
//   PORT=3003 CHATWOOT_URL=http://127.0.0.1:8080 CHATWOOT_BOT_TOKEN=... [CHATWOOT_BOT_SECRET=...] node bot.mjs
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const env = process.env;
const port = Number(env.PORT ?? 3003);
for (const name of ['CHATWOOT_URL', 'CHATWOOT_BOT_TOKEN']) {
  if (!env[name]) {
    console.error(`Set ${name}.`);
    process.exit(2);
  }
}
const base = env.CHATWOOT_URL.replace(/\/$/, '');
const secret = env.CHATWOOT_BOT_SECRET;

/** Every webhook taken, and every one refused for its signature (GET /transcript). */
const transcript = [];
const refused = [];
const seen = new Set();
/** The status each conversation had at its last webhook, to notice a handback. */
const statuses = new Map();

/** As Chatwoot's docs say to: sha256= HMAC-SHA256 of "<timestamp>.<raw body>", compared in constant time. */
function verified(headers, raw) {
  if (!secret) return true;
  const ts = headers['x-chatwoot-timestamp'];
  const sig = headers['x-chatwoot-signature'];
  if (typeof ts !== 'string' || typeof sig !== 'string') return false;
  if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${ts}.`).update(raw).digest('hex')}`);
  const given = Buffer.from(sig);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function api(path, body, { multipart = false } = {}) {
  const headers = { api_access_token: env.CHATWOOT_BOT_TOKEN };
  let payload;
  if (multipart) {
    payload = new FormData();
    for (const [k, v] of Object.entries(body)) payload.append(k, String(v));
  } else {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(`${base}/api/v1${path}`, { method: 'POST', headers, body: payload });
  if (!res.ok) throw new Error(`${path} answered ${res.status} ${await res.text()}`);
  return res.json();
}

const conversationPath = (p, id) => `/accounts/${p.account.id}/conversations/${id}`;

async function onMessage(p) {
  // The bot speaks only to the contact, and only while the conversation is its own.
  if (p.message_type !== 'incoming' || p.private || p.conversation.status !== 'pending') return;
  const path = conversationPath(p, p.conversation.id);
  const text = (p.content ?? '').trim();
  if (/\b(human|agent|person)\b/i.test(text)) {
    // As many handover bots do: a note for the agents, a word to the contact (as a form), then open.
    await api(`${path}/messages`, { content: `The contact asked for a person: "${text}"`, private: true });
    await api(`${path}/messages`, { content: 'Connecting you to an agent.', message_type: 'outgoing' }, { multipart: true });
    await api(`${path}/toggle_status`, { status: 'open' });
    return;
  }
  if (/\bmenu\b/i.test(text)) {
    await api(`${path}/messages`, { content: 'What can I do for you?', content_type: 'input_select', content_attributes: { items: [{ title: 'Opening hours', value: 'hours' }, { title: 'Talk to a person', value: 'human' }] } });
    return;
  }
  if (p.content_attributes?.submitted_values?.[0]?.value === 'hours' || /\bhours\b/i.test(text)) {
    await api(`${path}/messages`, { content: 'We are open 9:00-17:00, Monday to Friday.' });
    return;
  }
  await api(`${path}/messages`, { content: `Hello! You said: ${text}` });
}

async function onStatus(p) {
  const before = statuses.get(p.id);
  statuses.set(p.id, p.status);
  const account = accounts.get(p.id);
  if (p.status === 'pending' && before === 'open' && account) await api(`${conversationPath({ account: { id: account } }, p.id)}/messages`, { content: 'I am back. Anything else I can do?' });
}

/** The account of each conversation, from its message webhooks (conversation webhooks carry none). */
const accounts = new Map();

async function handle(p) {
  if (p.event === 'message_created' && p.conversation) {
    accounts.set(p.conversation.id, p.account.id);
    if (!statuses.has(p.conversation.id)) statuses.set(p.conversation.id, p.conversation.status);
    await onMessage(p);
  } else if (p.event === 'conversation_status_changed') {
    await onStatus(p);
  }
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/transcript') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ transcript, refused }));
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    if (!verified(req.headers, raw)) {
      refused.push(req.headers['x-chatwoot-delivery'] ?? null);
      res.writeHead(401).end();
      return;
    }
    const delivery = req.headers['x-chatwoot-delivery'];
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    if (delivery && seen.has(delivery)) return;
    if (delivery) seen.add(delivery);
    const payload = JSON.parse(raw.toString('utf8'));
    transcript.push({ delivery, event: payload.event, message_type: payload.message_type ?? null, content: payload.content ?? null, status: payload.status ?? payload.conversation?.status ?? null });
    handle(payload).catch((err) => console.error(err.message));
  });
});
server.listen(port, '127.0.0.1', () => console.log(`chatwoot example bot listening on ${port}`));
