import { createServer } from 'node:http';

/** A fast local endpoint that answers 200 at once and counts what it receives. */
export async function startSink(): Promise<{ url: string; count(): number; lastAt(): number; close(): Promise<void> }> {
  let count = 0;
  let last = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      last = performance.now();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => count,
    lastAt: () => last,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
