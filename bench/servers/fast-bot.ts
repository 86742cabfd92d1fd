import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { Pool } from 'undici';

/**
 * The harness's bot, in a process of its own so that it does not share an event loop with the
 * load generator. `POST /bot` takes Baton's native webhook (or the forwarder's copy of it),
 * answers 200 at once and, for a `message.received` it must answer (`forReply`) whose text starts
 * with "rt ", posts the same text back as its reply through `POST /v1/conversations/{id}/replies`
 * with `data.controlVersion` as `expectedVersion`. `POST /desk` only acknowledges.
 * `PUT /_targets {"urls": [...]}` says where replies go (spread round-robin over several Baton
 * processes); `GET /_stats` counts what happened. Started by bench/lib/child-server.ts.
 */
const API_KEY = process.env.BENCH_API_KEY ?? '';
let targets: Pool[] = [];
let next = 0;
const stats = { webhooks: 0, desk: 0, replies: 0, replyErrors: 0, lastError: '' };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body = '{}'): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

interface Webhook {
  type?: string;
  conversationId?: string;
  forReply?: boolean;
  data?: { controlVersion?: number };
  message?: { content?: { text?: string } } | null;
}

async function reply(hook: Webhook): Promise<void> {
  const text = hook.message?.content?.text;
  if (hook.type !== 'message.received' || !hook.forReply || !text?.startsWith('rt ') || !hook.conversationId) return;
  const pool = targets[next++ % targets.length];
  if (!pool) {
    stats.replyErrors++;
    stats.lastError = 'no target set';
    return;
  }
  try {
    const res = await pool.request({
      method: 'POST',
      path: `/v1/conversations/${encodeURIComponent(hook.conversationId)}/replies`,
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ componentId: 'bot', authorKind: 'bot', text, expectedVersion: hook.data?.controlVersion }),
    });
    const body = await res.body.text();
    if (res.statusCode >= 300) {
      stats.replyErrors++;
      stats.lastError = `${res.statusCode} ${body.slice(0, 200)}`;
    } else {
      stats.replies++;
    }
  } catch (err) {
    stats.replyErrors++;
    stats.lastError = String(err);
  }
}

const server = createServer((req, res) => {
  void (async () => {
    const body = await readBody(req);
    if (req.method === 'POST' && req.url === '/bot') {
      stats.webhooks++;
      // Answer first, as a well-behaved bot does: Baton's delivery is done when we say 200.
      send(res, 200);
      await reply(JSON.parse(body) as Webhook);
    } else if (req.method === 'POST' && req.url === '/desk') {
      stats.desk++;
      send(res, 200);
    } else if (req.method === 'PUT' && req.url === '/_targets') {
      const urls = (JSON.parse(body) as { urls: string[] }).urls;
      await Promise.all(targets.map((p) => p.close()));
      targets = urls.map((u) => new Pool(u, { connections: 64 }));
      send(res, 200);
    } else if (req.method === 'GET' && req.url === '/_stats') {
      send(res, 200, JSON.stringify(stats));
    } else if (req.method === 'GET') {
      send(res, 200);
    } else {
      send(res, 404);
    }
  })().catch((err: unknown) => {
    stats.lastError = String(err);
    if (!res.headersSent) send(res, 500);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`listening on http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => process.exit(0));
