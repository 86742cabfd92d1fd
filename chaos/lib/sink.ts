import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface Arrival {
  endpoint: string;
  webhookId: string;
  conversationId: string;
  seq: number;
  type: string;
  text: string | null;
  at: number;
}

export type Mode = 'ok' | 'blackhole' | 'slow';

/**
 * The bot endpoints of a chaos run, on one loopback server: `/bot/<name>` records every native
 * webhook and answers according to the endpoint's mode (answer, never answer, answer late).
 * Verification requests are answered with their challenge so a fixed endpoint can be re-verified.
 */
export class Sink {
  readonly arrivals: Arrival[] = [];
  private readonly modes = new Map<string, Mode>();
  private readonly held = new Set<ServerResponse>();
  private server = createServer((req, res) => this.handle(req, res));
  url = '';

  async start(): Promise<void> {
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  mode(endpoint: string, mode: Mode): void {
    this.modes.set(endpoint, mode);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const endpoint = (req.url ?? '/').split('/').pop() ?? '';
      let body: any = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        // recorded as empty
      }
      const mode = this.modes.get(endpoint) ?? 'ok';
      if (body.type === 'verification') {
        if (mode === 'ok') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ challenge: body.challenge }));
        else this.hold(res);
        return;
      }
      if (mode === 'blackhole') {
        this.hold(res);
        return;
      }
      this.arrivals.push({ endpoint, webhookId: String(req.headers['webhook-id'] ?? ''), conversationId: body.conversationId, seq: body.seq, type: body.type, text: body.message?.content?.text ?? null, at: performance.now() });
      const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      if (mode === 'slow') setTimeout(answer, 300);
      else answer();
    });
  }

  /** A black hole: the request is read and never answered, until the run ends. */
  private hold(res: ServerResponse): void {
    this.held.add(res);
    res.on('close', () => this.held.delete(res));
  }

  async stop(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
