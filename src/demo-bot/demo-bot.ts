import type { FastifyInstance } from 'fastify';
import type { Clock } from '../core/clock.js';
import type { MessageContent } from '../core/model.js';
import { answer, type BotAction, intentOf, nobodyAvailable, resume, topicOf, type Transcript, welcomeBack } from './demo-bot-script.js';
import { verifyWebhook } from './webhook-signature.js';

export interface DemoBotOptions {
  componentId: string;
  /** The component's `secrets.webhookSecret`: Baton signs every webhook with it. */
  secret: string;
  apiKey: string;
  clock: Clock;
}

/** The part of a native webhook the bot reads. */
interface Webhook {
  type: string;
  conversationId: string;
  forReply?: boolean;
  data: Record<string, unknown>;
  message?: { content: MessageContent } | null;
  challenge?: string;
}

const BROCHURE = `Baton: the open-source conversation router

- Web chat, WhatsApp (through an aggregator) and any universal channel
- Bots first, humans when needed: handover, takeover, handback
- Speaks IMIconnect / Webex Connect, CM.com, RingCentral Engage and Omnichannel protocols
- Self-hosted: SQLite on one machine, PostgreSQL to scale out
`;

/**
 * The bot of the demo account. It is served by Baton's own HTTP server only for convenience: it
 * is a normal native-dialect component that Baton reaches through the outbox (signed webhooks to
 * `/demo-bot/webhook` on loopback) and that answers through the public REST API with the demo API
 * key, so the demo exercises the same path as any external bot. Every API call carries an
 * Idempotency-Key made of the webhook id, so a redelivered webhook does not say things twice.
 */
export class DemoBot {
  private apiBase: string | null = null;

  constructor(private readonly opts: DemoBotOptions) {}

  /** Where the REST API is, once Baton listens (a loopback address). */
  setApiBase(url: string): void {
    this.apiBase = url.replace(/\/$/, '');
  }

  async routes(app: FastifyInstance): Promise<void> {
    // The signature covers the body's exact bytes, so it is checked before any parsing.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    app.post('/webhook', { schema: { hide: true } }, async (req, reply) => {
      const raw = typeof req.body === 'string' ? req.body : '';
      if (!verifyWebhook(this.opts.secret, req.headers, raw, this.opts.clock.now())) return reply.status(401).send({ error: 'bad signature' });
      const hook = JSON.parse(raw) as Webhook;
      if (hook.type === 'verification') return { challenge: hook.challenge };
      await this.handle(hook, String(req.headers['webhook-id']));
      return { ok: true };
    });
    app.get('/files/baton-brochure.txt', { schema: { hide: true } }, async (_req, reply) => reply.type('text/plain; charset=utf-8').send(BROCHURE));
  }

  private async handle(hook: Webhook, webhookId: string): Promise<void> {
    const d = hook.data;
    let actions: BotAction[] = [];
    const version = typeof d.controlVersion === 'number' ? d.controlVersion : undefined;
    if (hook.type === 'message.received' && hook.forReply && hook.message) {
      const intent = intentOf(hook.message.content);
      const transcript = intent === 'human' || intent === 'quote' ? await this.transcript(hook.conversationId) : { visitorTexts: [], topics: [] };
      actions = answer(intent, transcript);
    } else if (hook.type === 'handover.rejected' && d.by === this.opts.componentId) {
      actions = nobodyAvailable();
    } else if (hook.type === 'handback' && !d.position) {
      actions = welcomeBack();
    } else if (hook.type === 'position.requested') {
      actions = resume(String(d.flow), String(d.step));
    }
    const base = `/v1/conversations/${encodeURIComponent(hook.conversationId)}`;
    for (const [i, a] of actions.entries()) {
      const key = `${webhookId}:${i}`;
      const body = a.kind === 'say'
        ? { componentId: this.opts.componentId, authorKind: 'bot', content: a.content, ...(version !== undefined ? { expectedVersion: version } : {}) }
        : { by: this.opts.componentId, note: a.note, context: a.context, ...(version !== undefined ? { expectedVersion: version } : {}) };
      const status = await this.call('POST', `${base}/${a.kind === 'say' ? 'replies' : 'handover'}`, body, key);
      // 409: a human took over, or the chat moved on; not the bot's to answer any more.
      if (status.status === 409) return;
    }
  }

  private async transcript(conversationId: string): Promise<Transcript> {
    const res = await this.call('GET', `/v1/conversations/${encodeURIComponent(conversationId)}/messages`);
    const items = ((res.body as { items?: { author: { kind: string }; content: MessageContent }[] }).items ?? []).filter((m) => m.author.kind === 'customer');
    return {
      visitorTexts: items.map((m) => m.content.text ?? '').filter(Boolean),
      topics: items.map((m) => topicOf(intentOf(m.content))).filter((t): t is string => t !== null),
    };
  }

  private async call(method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<{ status: number; body: unknown }> {
    if (!this.apiBase) throw new Error('the demo bot does not know where the API is yet');
    const res = await fetch(this.apiBase + path, {
      method,
      headers: { authorization: `Bearer ${this.opts.apiKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(5000),
    });
    const parsed: unknown = await res.json().catch(() => null);
    // Anything but success or a refusal is Baton's trouble: fail the webhook so it is delivered again.
    if (res.status >= 500 || (res.status >= 400 && res.status !== 409)) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(parsed).slice(0, 200)}`);
    return { status: res.status, body: parsed };
  }
}
