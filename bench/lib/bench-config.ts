import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

export const API_KEY = 'bench-api-key-0123456789abcdef';
export const ACCOUNT = 'bench';
/** The omnichannel channel's `{token}` in its webhook URL, fixed so the harness knows the address. */
export const INBOUND_TOKEN = 'bench-inbound-token-0123456789';
export const WEBHOOK_TOKEN = 'bench-webhook-token-0123456789';
export const OMNI_PATH = `/connector/omnichannel/omnichannel_message/${INBOUND_TOKEN}/bot_api_webhook`;

export interface BenchEndpoints {
  /** The harness's bot process (`/bot` and `/desk` are its two components). */
  botUrl: string;
  /** The omnichannel client server; Baton posts answers to `{sinkUrl}/send_message`. */
  sinkUrl: string;
}

/**
 * The account every scenario runs on, instead of the demo account (whose built-in demo bot answers
 * every message over loopback, so a figure taken on it measures the demo bot). Three channels:
 * `omni` is the visitor's side of the round trip; `api` and `storm` carry ingest and the
 * conversations of the handover storm. One rule sends everything to the harness's bot, which
 * answers only messages whose text starts with "rt " (see servers/fast-bot.ts), so ingest
 * writes and sends the outbox rows a real deployment would without turning into round trips.
 * The single desk is the account's default desk, where handovers go.
 */
/** What the harness's bot acts on; `BENCH_ALL_EVENTS=1` gives it every event (the default of a component without `events:`). */
export const BOT_EVENTS = ['conversation.*', 'message.received', 'bot_session.*', 'handover', 'takeover', 'handback', 'reset', 'context.updated'];

export function benchConfig(e: BenchEndpoints): unknown {
  return {
    accounts: [{
      id: ACCOUNT,
      apiKeys: [API_KEY],
      channels: [
        { id: 'api', kind: 'native' },
        { id: 'storm', kind: 'native' },
        { id: 'omni', kind: 'omnichannel', address: ACCOUNT, outboundUrl: e.sinkUrl, credentials: { webhookToken: WEBHOOK_TOKEN, inboundToken: INBOUND_TOKEN } },
      ],
      components: [
        // The bot subscribes to what it acts on, as a deployment's bot would: no delivery receipts.
        { id: 'bot', kind: 'bot', url: `${e.botUrl}/bot`, secrets: { webhookSecret: 'whsec_YmVuY2gtYm90LXNlY3JldC0wMTIzNDU2Nzg5' }, ...(process.env.BENCH_ALL_EVENTS ? {} : { events: BOT_EVENTS }) },
        { id: 'desk', kind: 'desk', url: `${e.botUrl}/desk` },
      ],
      services: [{ id: 'main', channels: ['api', 'storm', 'omni'], rules: [{ id: 'to-bot', trigger: { event: 'message' }, action: { type: 'bot', bot: 'bot' } }] }],
    }],
  };
}

export function writeBenchConfig(dir: string, e: BenchEndpoints): string {
  const file = join(dir, 'baton.yaml');
  writeFileSync(file, stringify(benchConfig(e)));
  return file;
}

/** The omnichannel client server's request for one visitor message (seed 004's shape). */
export function omniMessage(chat: string, messageId: string, text: string): string {
  return JSON.stringify({ event: 'new_message', chat_id: chat, visitor: { id: `v-${chat}` }, message: { id: messageId, kind: 'visitor', text } });
}
