import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type BatonHome, batonHome, callBaton, waitUntil } from '../helpers/child-baton.js';
import { type ExportedSpan, type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';

const KEY = 'trace-key-00000000000000001';
const HOOK = new URL('../helpers/module-log-hook.mjs', import.meta.url).pathname;
const SERVER = 2;
const CLIENT = 3;

function config(bot: Receiver, channel: Receiver) {
  return {
    accounts: [{
      id: 'acme',
      apiKeys: [KEY],
      channels: [{ id: 'web', kind: 'native', outboundUrl: `${channel.url}/out` }],
      components: [{ id: 'bot', kind: 'bot', url: `${bot.url}/bot` }],
      services: [{ id: 'main', channels: ['web'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot', bot: 'bot' } }] }],
    }],
  };
}

/** No OTEL_* variable of the machine running the tests reaches the child unless a test sets it. */
const NO_OTEL = Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith('OTEL_')).map((k) => [k, '']));

/** A bot that answers each customer message through the API, passing on the traceparent it was sent (as a traced bot would). */
function answeringBot(bot: Receiver, url: () => string): void {
  bot.behave((r) => {
    if (r.json?.type === 'message.received' && r.json.forReply) {
      const traceparent = r.headers.traceparent as string | undefined;
      void fetch(`${url()}/v1/conversations/${r.json.conversationId}/replies`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...(traceparent ? { traceparent } : {}) },
        body: JSON.stringify({ componentId: 'bot', authorKind: 'bot', text: `you said ${r.json.message.content.text}` }),
      });
    }
    return { status: 200, body: '{}' };
  });
}

describe('OpenTelemetry traces', () => {
  let home: BatonHome | undefined;
  let receivers: { close(): Promise<void> }[] = [];
  let dir: string | undefined;
  afterEach(async () => {
    await home?.dispose();
    await Promise.all(receivers.map((r) => r.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
    home = undefined;
    receivers = [];
    dir = undefined;
  });

  /** `env` may name `{otlp}`: the address of the test's OTLP receiver. */
  async function setUp(env: Record<string, string>, engine: 'sqlite' | 'postgres' = 'sqlite') {
    const otlp = await startOtlpReceiver();
    const bot = await startReceiver();
    const channel = await startReceiver();
    receivers.push(otlp, bot, channel);
    dir = mkdtempSync(join(tmpdir(), 'baton-trace-'));
    const moduleLog = join(dir, 'modules.log');
    const otel = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace('{otlp}', otlp.url)]));
    home = batonHome(engine, config(bot, channel), { ...NO_OTEL, NODE_OPTIONS: `--import ${HOOK}`, TRACE_TEST_MODULE_LOG: moduleLog, ...otel });
    const baton = await home.start();
    answeringBot(bot, () => baton.url);
    const loaded = () => {
      try {
        return readFileSync(moduleLog, 'utf8');
      } catch {
        return '';
      }
    };
    return { otlp, bot, channel, baton, loaded };
  }

  it.each(['sqlite', 'postgres'] as const)('%s: joins the inbound request, the command, its commit and the delivery attempt in one trace, and the bot webhook carries it', async (engine) => {
    const env = { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: '{otlp}', OTEL_BSP_SCHEDULE_DELAY: '100' };
    const { otlp, bot, channel, baton, loaded } = await setUp(env, engine);
    expect(baton.output()).toContain('Tracing    on: otlp');

    const sent = await callBaton(baton.url, KEY, 'POST', '/v1/channels/web/messages', { customer: '+31600000001', text: 'hello' });
    expect(sent.status).toBe(201);
    const conversationId: string = sent.body.conversation.id;
    await waitUntil(() => channel.received.some((r) => r.json?.type === 'message.sent'), 15_000, () => `the bot's answer did not reach the channel; bot got ${bot.received.map((r) => r.json?.type).join(', ')}`);
    const webhook = bot.received.find((r) => r.json?.type === 'message.received')!;
    const seq: number = webhook.json.seq;

    const byName = (name: string, where: (s: ExportedSpan) => boolean = () => true) => otlp.spans.filter((s) => s.name === name && where(s));
    const deliveryOf = (recipient: string, s: number) => byName('baton.delivery', (d) => d.attributes['baton.recipient.id'] === recipient && d.attributes['baton.event.seq'] === s)[0];
    await waitUntil(() => Boolean(deliveryOf('bot', seq) && byName('POST /v1/conversations/:id/replies').length > 0 && otlp.spans.some((s) => s.name === 'baton.delivery' && s.attributes['baton.recipient.id'] === 'web')), 15_000, () => `spans so far: ${otlp.spans.map((s) => s.name).join(', ')}`);

    // The inbound request: a server span of the native dialect's route.
    const inbound = byName('POST /v1/channels/:channelId/messages')[0]!;
    expect(inbound.kind).toBe(SERVER);
    expect(inbound.parentSpanId).toBe('');
    expect(inbound.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/v1/channels/:channelId/messages', 'http.response.status_code': 201, 'baton.dialect': 'native' });
    expect(inbound.resource['service.name']).toBe('baton');
    const trace = inbound.traceId;

    // The command it ran, and that command's transaction.
    const command = byName('baton.command', (s) => s.parentSpanId === inbound.spanId)[0]!;
    expect(command.traceId).toBe(trace);
    expect(command.attributes).toMatchObject({ 'baton.command.type': 'receive', 'baton.account.id': 'acme', 'baton.conversation.id': conversationId });
    expect(command.attributes['baton.event.seq']).toContain(seq);
    const commit = byName('baton.commit', (s) => s.parentSpanId === command.spanId)[0]!;
    expect(commit.traceId).toBe(trace);
    expect(commit.attributes['baton.commit.batch_size']).toBeGreaterThanOrEqual(1);

    // The delivery of the customer's message to the bot: a child of that command.
    const delivery = deliveryOf('bot', seq)!;
    expect(delivery.traceId).toBe(trace);
    expect(delivery.parentSpanId).toBe(command.spanId);
    expect(delivery.kind).toBe(CLIENT);
    expect(delivery.attributes).toMatchObject({ 'baton.delivery.id': webhook.json.id, 'baton.conversation.id': conversationId, 'baton.event.seq': seq, 'baton.event.type': 'message.received', 'baton.recipient.kind': 'component', 'baton.delivery.attempt': 1, 'http.response.status_code': 200, 'baton.delivery.outcome': 'delivered' });

    // The bot's webhook carried that span as its parent, so the bot's own tracing joins.
    expect(webhook.headers.traceparent).toBe(`00-${trace}-${delivery.spanId}-01`);

    // The bot passed it on with its reply: Baton honoured it, and the answer's delivery to the channel is in the same trace.
    const reply = byName('POST /v1/conversations/:id/replies')[0]!;
    expect(reply.traceId).toBe(trace);
    expect(reply.parentSpanId).toBe(delivery.spanId);
    const replyCommand = byName('baton.command', (s) => s.parentSpanId === reply.spanId)[0]!;
    expect(replyCommand.attributes['baton.command.type']).toBe('reply');
    const toChannel = byName('baton.delivery', (s) => s.attributes['baton.recipient.id'] === 'web')[0]!;
    expect(toChannel.traceId).toBe(trace);
    expect(toChannel.parentSpanId).toBe(replyCommand.spanId);
    const out = channel.received.find((r) => r.json?.type === 'message.sent')!;
    expect(out.headers.traceparent).toBe(`00-${trace}-${toChannel.spanId}-01`);

    expect(loaded()).toContain('@opentelemetry/sdk-trace-node');
  });

  it('retries of a failed delivery are traces of their own, linked to the command that wrote them', async () => {
    const env = { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '{otlp}/v1/traces', OTEL_BSP_SCHEDULE_DELAY: '100' };
    const { otlp, bot, baton } = await setUp(env);
    let failed = 0;
    // The first attempt of the first webhook fails; the retry (5 s later by the default schedule) succeeds.
    bot.behave(() => (failed++ === 0 ? { status: 503 } : { status: 200 }));
    const sent = await callBaton(baton.url, KEY, 'POST', '/v1/channels/web/messages', { customer: '+31600000002', text: 'hello' });
    expect(sent.status).toBe(201);
    const attempts = () => otlp.spans.filter((s) => s.name === 'baton.delivery' && s.attributes['baton.recipient.id'] === 'bot');
    await waitUntil(() => attempts().some((s) => s.attributes['baton.delivery.attempt'] === 2), 20_000, () => `delivery spans: ${JSON.stringify(attempts().map((s) => s.attributes))}`);
    const first = attempts().find((s) => s.attributes['baton.delivery.attempt'] === 1 && s.attributes['baton.delivery.outcome'] === 'retry')!;
    const second = attempts().find((s) => s.attributes['baton.delivery.attempt'] === 2 && s.attributes['baton.delivery.id'] === first.attributes['baton.delivery.id'])!;
    expect(first.attributes['http.response.status_code']).toBe(503);
    expect(second.attributes['baton.delivery.outcome']).toBe('delivered');
    expect(second.parentSpanId).toBe('');
    expect(second.traceId).not.toBe(first.traceId);
    expect(second.links).toEqual([{ traceId: first.traceId, spanId: first.parentSpanId }]);
  }, 30_000);

  it('with no OTEL_* variables nothing is traced and the SDK is never loaded', async () => {
    const env = {};
    const { otlp, bot, channel, baton, loaded } = await setUp(env);
    expect(baton.output()).not.toContain('Tracing');
    const sent = await callBaton(baton.url, KEY, 'POST', '/v1/channels/web/messages', { customer: '+31600000003', text: 'hello' });
    expect(sent.status).toBe(201);
    await waitUntil(() => channel.received.some((r) => r.json?.type === 'message.sent'), 15_000, () => 'no answer at the channel');
    expect(bot.received.every((r) => r.headers.traceparent === undefined)).toBe(true);
    expect(channel.received.every((r) => r.headers.traceparent === undefined)).toBe(true);
    // The hook saw this process load the API (so it would have seen the SDK), and nothing more.
    expect(loaded()).toContain('@opentelemetry/api');
    expect(loaded()).not.toMatch(/sdk-trace|exporter|resources/);
    expect(otlp.requests).toBe(0);
  });

  it('OTEL_SDK_DISABLED=true wins over an endpoint: nothing is exported, the SDK is not loaded', async () => {
    const env = { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: '{otlp}', OTEL_BSP_SCHEDULE_DELAY: '100' };
    const { otlp, channel, baton, loaded } = await setUp(env);
    await callBaton(baton.url, KEY, 'POST', '/v1/channels/web/messages', { customer: '+31600000004', text: 'hello' });
    await waitUntil(() => channel.received.some((r) => r.json?.type === 'message.sent'), 15_000, () => 'no answer at the channel');
    await new Promise((r) => setTimeout(r, 500));
    expect(otlp.requests).toBe(0);
    expect(loaded()).not.toMatch(/sdk-trace|exporter|resources/);
  });

  it('refuses to start with an exporter or protocol it cannot honour', async () => {
    const env = { OTEL_TRACES_EXPORTER: 'zipkin' };
    await expect(setUp(env)).rejects.toThrow(/OTEL_TRACES_EXPORTER=zipkin: Baton exports traces with "otlp" or "console"/);
  });
});
