import { Pool } from 'undici';
import type { EndpointResponse, OutgoingRequest } from './ports.js';

export interface SendResult {
  response: EndpointResponse | null;
  error: string | null;
  latencyMs: number;
}

const MAX_BODY = 64 * 1024;

/**
 * Outgoing HTTP: one keep-alive pool per endpoint origin, with a bounded number of connections,
 * so a slow endpoint queues only its own calls. Redirects are not followed (a 3xx is a failure).
 */
export class HttpSender {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly opts: { connectionsPerEndpoint: number; connectTimeoutMs: number }) {}

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: this.opts.connectionsPerEndpoint, connect: { timeout: this.opts.connectTimeoutMs }, keepAliveTimeout: 30_000 });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  async send(req: OutgoingRequest, timeoutMs: number): Promise<SendResult> {
    const started = performance.now();
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return { response: null, error: `not a URL: ${req.url}`, latencyMs: 0 };
    }
    try {
      const res = await this.pool(url.origin).request({
        method: 'POST',
        path: url.pathname + url.search,
        headers: { 'content-type': 'application/json', 'user-agent': 'baton', ...req.headers },
        body: req.body,
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
