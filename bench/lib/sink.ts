import { createServer } from 'node:http';

/**
 * The omnichannel client server's receiving side: Baton (or the baseline) posts every answer to
 * `{url}/send_message`. It answers 200 at once and tells the round-trip driver when the answer
 * carrying a given token arrived (the bot echoes the visitor's text, "rt <token>").
 */
export interface ChannelSink {
  url: string;
  /** Every request received so far. */
  count(): number;
  /** Resolves with the arrival time (performance.now()) of the answer to `token`. */
  expect(token: string): Promise<number>;
  /** Stops waiting for `token` (its round trip timed out). */
  forget(token: string): void;
  close(): Promise<void>;
}

export async function startSink(): Promise<ChannelSink> {
  let count = 0;
  const waiting = new Map<string, (at: number) => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      count++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
      if (req.method !== 'POST' || !req.url?.endsWith('/send_message')) return;
      try {
        const text = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message?: { text?: string } }).message?.text;
        if (!text?.startsWith('rt ')) return;
        const token = text.slice(3);
        const done = waiting.get(token);
        if (done) {
          waiting.delete(token);
          done(at);
        }
      } catch {
        // Not ours to judge: the sink only times what it recognises.
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => count,
    expect: (token) => new Promise<number>((resolve) => waiting.set(token, resolve)),
    forget: (token) => void waiting.delete(token),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
