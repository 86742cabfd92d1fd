import { context, type Context, propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

interface Traced {
  span: Span;
  context: Context;
}

const TRACED = Symbol('baton.trace');
type TracedRequest = FastifyRequest & { [TRACED]?: Traced };

/**
 * Server spans for inbound requests, installed only when tracing is on. An inbound `traceparent`
 * makes the request a child of the caller's span. The handler runs with the span active, so the
 * commands it runs become its children (through the SDK's context manager, which exists only
 * when tracing is on).
 */
export function installRequestSpans(app: FastifyInstance, t: Tracer): void {
  app.addHook('onRequest', (req: TracedRequest, _reply, done) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const route = req.routeOptions.url;
    const span = t.startSpan(route ? `${req.method} ${route}` : req.method, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method, ...(route ? { 'http.route': route } : {}), 'url.path': req.url.split('?')[0]! },
    }, parent);
    req[TRACED] = { span, context: trace.setSpan(parent, span) };
    done();
  });
  // After the body is read: from here on the work is the handler's, and runs in the span.
  app.addHook('preHandler', (req: TracedRequest, _reply, done: HookHandlerDoneFunction) => {
    const traced = req[TRACED];
    if (traced) context.with(traced.context, done);
    else done();
  });
  app.addHook('onResponse', (req: TracedRequest, reply: FastifyReply, done) => {
    const traced = req[TRACED];
    if (traced) {
      traced.span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) traced.span.setStatus({ code: SpanStatusCode.ERROR });
      traced.span.end();
    }
    done();
  });
  app.addHook('onRequestAbort', (req: TracedRequest, done) => {
    const traced = req[TRACED];
    if (traced) {
      traced.span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client went away' });
      traced.span.end();
    }
    done();
  });
}

/** Names the dialect whose routes took the request. */
export function tagDialect(scope: FastifyInstance, dialect: string): void {
  scope.addHook('onRequest', (req: TracedRequest, _reply, done) => {
    req[TRACED]?.span.setAttribute('baton.dialect', dialect);
    done();
  });
}
