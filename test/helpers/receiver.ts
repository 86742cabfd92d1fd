import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  at: number;
}

export type Behaviour = (req: Received) => { status: number; body?: string; headers?: Record<string, string>; delayMs?: number } | Promise<{ status: number; body?: string; headers?: Record<string, string>; delayMs?: number }>;

/** A real HTTP endpoint on loopback that records every request and answers as told. */
export interface Receiver {
  url: string;
  received: Received[];
  behave(fn: Behaviour): void;
  /** While down, every connection is cut before a request is read: the endpoint is not there. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

export async function startReceiver(initial: Behaviour = () => ({ status: 200, body: '{}' })): Promise<Receiver> {
  let behaviour = initial;
  let down = false;
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        // leave null
      }
      const r: Received = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body, json, at: Date.now() };
      received.push(r);
      const answer = await behaviour(r);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.body ?? '{}');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  // A server that is down keeps its port (no other test can take it) but cuts every connection.
  server.on('connection', (socket) => {
    if (down) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    behave(fn) {
      behaviour = fn;
    },
    setDown(on) {
      down = on;
      if (on) server.closeAllConnections();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
