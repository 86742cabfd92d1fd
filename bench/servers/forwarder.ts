import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { Pool } from 'undici';

/**
 * The baseline: the least a router could do on the round trip's hops, storing nothing. It takes
 * the same inbound requests as Baton (the omnichannel webhook, the native channel message),
 * answers at once, and forwards with undici to the same bot (a native-webhook-shaped body); the
 * bot's reply, posted to the same `/v1/conversations/{id}/replies`, is forwarded to the same
 * channel sink as a `send_message`. No database, no outbox, no retries: the ceiling.
 * Env: FORWARD_BOT_URL (the bot's webhook), FORWARD_SINK_URL (the client server's base URL).
 */
const BOT_URL = new URL(process.env.FORWARD_BOT_URL ?? 'http://127.0.0.1:1/bot');
const SINK_URL = new URL(process.env.FORWARD_SINK_URL ?? 'http://127.0.0.1:1');
const bot = new Pool(BOT_URL.origin, { connections: 16 });
const sink = new Pool(SINK_URL.origin, { connections: 16 });
let errors = 0;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function post(pool: Pool, path: string, body: unknown): Promise<void> {
  try {
    const res = await pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await res.body.dump();
    if (res.statusCode >= 300) errors++;
  } catch {
    errors++;
  }
}

function toBot(conversationId: string, customer: string, messageId: string, text: string): Promise<void> {
  const now = new Date().toISOString();
  return post(bot, BOT_URL.pathname, {
    id: messageId, type: 'message.received', conversationId, customer, at: now, forReply: true,
    data: { messageId, controller: 'bot', controlVersion: 1 },
    message: { id: messageId, author: { kind: 'customer', id: customer }, content: { type: 'text', text }, createdAt: now },
  });
}

const OMNI = /^\/connector\/omnichannel\/omnichannel_message\/[^/]+\/bot_api_webhook$/;
const NATIVE_IN = /^\/v1\/channels\/[^/]+\/messages$/;
const REPLY = /^\/v1\/conversations\/([^/]+)\/replies$/;

const server = createServer((req, res) => {
  void (async () => {
    const body = await readBody(req);
    const path = req.url ?? '';
    if (req.method === 'POST' && OMNI.test(path)) {
      const m = JSON.parse(body) as { chat_id: string | number; message: { id: string; text?: string } };
      send(res, 200, { status: 'accepted', duplicate: false, conversation_id: String(m.chat_id), message_id: m.message.id });
      await toBot(String(m.chat_id), String(m.chat_id), m.message.id, m.message.text ?? '');
    } else if (req.method === 'POST' && NATIVE_IN.test(path)) {
      const m = JSON.parse(body) as { customer: string; text?: string; messageId?: string };
      send(res, 201, { conversation: { id: m.customer }, duplicate: false });
      await toBot(m.customer, m.customer, m.messageId ?? '', m.text ?? '');
    } else if (req.method === 'POST' && REPLY.test(path)) {
      const id = decodeURIComponent(REPLY.exec(path)![1]!);
      const r = JSON.parse(body) as { text?: string };
      send(res, 201, { conversation: { id }, duplicate: false });
      // The same Webim bot message Baton sends to /send_message.
      await post(sink, `${SINK_URL.pathname.replace(/\/+$/, '')}/send_message`, { chat_id: id, message: { kind: 'operator', text: r.text ?? '' } });
    } else if (req.method === 'GET' && path === '/_stats') {
      send(res, 200, { errors });
    } else {
      send(res, 404, { error: 'not found' });
    }
  })().catch(() => {
    errors++;
    if (!res.headersSent) send(res, 500, { error: 'failed' });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`listening on http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => process.exit(0));
