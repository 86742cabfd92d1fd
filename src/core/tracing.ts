import { context, type Context, type Link, propagation, ROOT_CONTEXT, type Span, type SpanContext, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';

/**
 * The tracer, set once at start when tracing is switched on (cli/tracing-setup.ts) and null otherwise.
 * Every traced place on the hot path tests this one variable first, so with tracing off a
 * message costs a null check: no span, no context, no AsyncLocalStorage.
 */
export let tracer: Tracer | null = null;

export function useTracer(t: Tracer | null): void {
  tracer = t;
}

/**
 * The span of the command that wrote each delivery, kept in memory only until the delivery is
 * final: its first attempt by this process becomes that span's child, a retry links to it. A
 * delivery claimed by another process, or after a restart, is not in here and starts a trace of
 * its own. Bounded, oldest first out, so a backlog cannot grow it.
 */
const origins = new Map<string, SpanContext>();
const MAX_ORIGINS = 20_000;

export function rememberOrigin(deliveryIds: readonly { id: string }[], span: Span): void {
  const origin = span.spanContext();
  for (const d of deliveryIds) {
    origins.set(d.id, origin);
    if (origins.size > MAX_ORIGINS) origins.delete(origins.keys().next().value!);
  }
}

export function forgetOrigin(deliveryId: string): void {
  origins.delete(deliveryId);
}

/** A command's span, a child of whatever span is active (the inbound request's). */
export function startCommandSpan(t: Tracer, type: string, accountId: string): Span {
  return t.startSpan('baton.command', { kind: SpanKind.INTERNAL, attributes: { 'baton.command.type': type, 'baton.account.id': accountId } });
}

export function endCommandSpan(span: Span, outcome: { conversation: { id: string }; events: readonly { seq: number; type: string }[]; duplicate?: boolean }): void {
  span.setAttribute('baton.conversation.id', outcome.conversation.id);
  if (outcome.events.length > 0) {
    span.setAttribute('baton.event.seq', outcome.events.map((e) => e.seq));
    span.setAttribute('baton.event.type', outcome.events.map((e) => e.type));
  }
  if (outcome.duplicate) span.setAttribute('baton.command.duplicate', true);
  span.end();
}

export function failSpan(span: Span, err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  span.recordException(e);
  span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') span.setAttribute('error.type', code);
  span.end();
}

/** Milliseconds since the epoch with sub-millisecond precision, as span times take them. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** One transaction, drawn after the fact as a child of each command it carried. */
export function recordCommit(t: Tracer, parents: readonly (Span | null)[], startedAt: number, ok: boolean): void {
  const endedAt = nowMs();
  for (const parent of parents) {
    if (!parent) continue;
    const span = t.startSpan('baton.commit', { kind: SpanKind.INTERNAL, startTime: startedAt, attributes: { 'baton.commit.batch_size': parents.length } }, trace.setSpan(ROOT_CONTEXT, parent));
    if (!ok) span.setStatus({ code: SpanStatusCode.ERROR, message: 'rolled back; its commands run again one by one' });
    span.end(endedAt);
  }
}

export interface AttemptFacts {
  deliveryId: string;
  attempt: number;
  account: { id: string };
  conversation: { id: string };
  event: { seq: number; type: string };
  target: { kind: 'component'; component: { id: string } } | { kind: 'channel'; channel: { id: string } };
}

/**
 * A delivery attempt's span: the child of the command that wrote the delivery on its first
 * attempt from this process, otherwise the root of a trace of its own, linked to that command
 * when this process still remembers it.
 */
export function startAttemptSpan(t: Tracer, ctx: AttemptFacts): { span: Span; context: Context } {
  const origin = origins.get(ctx.deliveryId);
  const child = origin !== undefined && ctx.attempt === 1;
  const parent = child ? trace.setSpanContext(ROOT_CONTEXT, origin) : ROOT_CONTEXT;
  const links: Link[] = origin && !child ? [{ context: origin }] : [];
  const recipient = ctx.target.kind === 'component' ? ctx.target.component.id : ctx.target.channel.id;
  const span = t.startSpan('baton.delivery', {
    kind: SpanKind.CLIENT,
    root: !child,
    links,
    attributes: {
      'baton.delivery.id': ctx.deliveryId,
      'baton.delivery.attempt': ctx.attempt,
      'baton.account.id': ctx.account.id,
      'baton.conversation.id': ctx.conversation.id,
      'baton.event.seq': ctx.event.seq,
      'baton.event.type': ctx.event.type,
      'baton.recipient.kind': ctx.target.kind,
      'baton.recipient.id': recipient,
    },
  }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

export function endAttemptSpan(span: Span, outcome: { kind: 'delivered' | 'failed'; attempt: { statusCode: number | null; error: string | null } | null; nextDelayMs?: number | null }, final: boolean, deliveryId: string): void {
  const status = outcome.attempt?.statusCode;
  if (typeof status === 'number') span.setAttribute('http.response.status_code', status);
  const result = outcome.kind === 'delivered' ? 'delivered' : final ? 'failed' : 'retry';
  span.setAttribute('baton.delivery.outcome', result);
  if (outcome.kind === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.attempt?.error ?? 'failed' });
  span.end();
  if (final) forgetOrigin(deliveryId);
}

/** Runs `fn` with `ctx` active, for callers that start spans beneath it. */
export function within<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn);
}

/** The W3C `traceparent` (and `tracestate`) of a span, for an outgoing request. */
export function traceHeaders(ctx: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(ctx, headers);
  return headers;
}
