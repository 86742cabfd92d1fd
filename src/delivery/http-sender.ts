import { Pool } from 'undici';
import { type AddressPolicy, guardedLookup, urlRefusal } from './address-policy.js';
import type { EndpointResponse, OutgoingRequest } from './ports.js';

export interface SendResult {
  response: EndpointResponse | null;
  error: string | null;
  latencyMs: number;
}

const MAX_BODY = 64 * 1024;

/** A counting semaphore: at most `size` holders at once, the rest wait in order. */
class Slots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async take(): Promise<void> {
    if (this.used < this.size) {
      this.used++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.used--;
  }
}

/**
 * Outgoing HTTP: one keep-alive pool per endpoint origin, with a bounded number of calls in flight,
 * so a slow endpoint queues only its own calls. A call's timeout starts when it gets a connection
 * slot, not while it waits for one: waiting behind a busy endpoint is not that call's failure.
 * Redirects are not followed (a 3xx is a failure).
 */
export class HttpSender {
  private readonly pools = new Map<string, Pool>();
  private readonly slots = new Map<string, Slots>();

  constructor(private readonly opts: { connectionsPerEndpoint: number; connectTimeoutMs: number; addresses: AddressPolicy }) {}

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: this.opts.connectionsPerEndpoint, connect: { timeout: this.opts.connectTimeoutMs, lookup: guardedLookup(this.opts.addresses) }, keepAliveTimeout: 30_000 });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  async send(req: OutgoingRequest, timeoutMs: number): Promise<SendResult> {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return { response: null, error: `not a URL: ${req.url}`, latencyMs: 0 };
    }
    let slots = this.slots.get(url.origin);
    if (!slots) {
      slots = new Slots(this.opts.connectionsPerEndpoint);
      this.slots.set(url.origin, slots);
    }
    await slots.take();
    try {
      return await this.call(url, req, timeoutMs);
    } finally {
      slots.give();
    }
  }

  private async call(url: URL, req: OutgoingRequest, timeoutMs: number): Promise<SendResult> {
    // Literal addresses skip the resolver, so they are judged here; host names when they resolve.
    const refused = urlRefusal(url.href, this.opts.addresses);
    if (refused) return { response: null, error: `refused: ${refused}`, latencyMs: 0 };
    const started = performance.now();
    try {
      const get = req.method === 'GET';
      const res = await this.pool(url.origin).request({
        method: get ? 'GET' : 'POST',
        path: url.pathname + url.search,
        headers: { ...(get ? {} : { 'content-type': 'application/json' }), 'user-agent': 'baton', ...req.headers },
        body: get ? null : req.body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = await readCapped(res.body);
      return { response: { status: res.statusCode, headers: res.headers, body }, error: null, latencyMs: Math.round(performance.now() - started) };
    } catch (err) {
      const e = err as Error & { code?: string };
      const timedOut = e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT' || e.name === 'AbortError';
      return { response: null, error: timedOut ? `no answer within ${timeoutMs} ms` : `${e.code ?? e.name}: ${e.message}`, latencyMs: Math.round(performance.now() - started) };
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close()));
    this.pools.clear();
  }
}

async function readCapped(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < MAX_BODY) chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8');
}
