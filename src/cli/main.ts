#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Baton, DEFAULT_DELIVERY, type RuntimeConfig, createBaton } from '../app.js';
import { DEMO_AGENT, DEMO_API_KEY } from '../config/demo-config.js';
import { configWarnings, loadConfigFile } from '../config/load-config.js';
import { isBatonError } from '../core/errors.js';
import type { Channel, Component } from '../core/model.js';
import { channelInboundPath, componentInboundPath } from '../dialects/index.js';
import { openStore } from '../store/open-store.js';
import { parseArgs } from './args.js';
import { doctor } from './doctor.js';
import { HAND_BACK } from '../core/control-types.js';
import { emergency } from './emergency.js';
import { erase } from './erase.js';
import { startTracing, tracingChoice } from './tracing-setup.js';

/** How long `baton start` may take to close on SIGTERM or SIGINT before it exits anyway. */
const SHUTDOWN_MS = 8_000;

const HELP = `baton: an open-source conversation router

Usage: baton [command] [options]

Commands:
  start               run the server (the default)
  migrate             apply database migrations and exit
  config check FILE   validate a baton.yaml and exit
  doctor              check the store and print what is configured
  emergency on|off --account A [--source C]
                      the emergency handover: every conversation of the account to the
                      humans, or (with --source) every new thread on channel C
  emergency off --account A [--tell-bots | --quietly | --keep-with-agents]
                      switching off: the bots get their conversations back and are told
                      (the default), get them back untold (those an agent took stay), or
                      the conversations stay with the humans
  erase --account A --customer C [--channel CH]
                      erase what customer C wrote and was told in account A (or only on
                      channel CH): message contents, event texts, visitor fields, delivery bodies
  help                this text

Options and environment:
  --config FILE       BATON_CONFIG        configuration (default: the demo account)
  --port N            PORT                port to listen on (default 8080)
  --host ADDR         HOST                address to listen on (default 127.0.0.1)
  --data-dir DIR      BATON_DATA_DIR      where the SQLite file lives (default ./data)
  --database-url URL  BATON_DATABASE_URL  postgres://... to use PostgreSQL
                      BATON_DATABASE_SCHEMA  PostgreSQL schema (default: the search path)
                      BATON_SQLITE_SYNC   normal (default) or full: SQLite syncs every commit to disk
                      BATON_LOG_LEVEL     pino level (default info)
                      BATON_DELIVERY_LEASE_MS  how long a claimed delivery cursor is held (default 60000)
                      BATON_DELIVERY_POLL_MS   how often idle dispatchers look for due work (default 1000)
                      BATON_TRUST_PROXY   proxies whose X-Forwarded-* headers are believed: true, a hop
                                          count, or addresses/CIDRs (default: none)
                      BATON_METRICS_TOKEN  bearer token /metrics requires (default: loopback clients only)
`;

/** `true`, a hop count, or a comma-separated list of addresses and CIDRs. */
function trustProxyOf(v: string): boolean | number | string {
  if (v === 'true') return true;
  if (v === 'false') return false;
  return /^\d+$/.test(v) ? Number(v) : v;
}

function version(): string {
  const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/** The only place that reads process.env: everything below gets a frozen RuntimeConfig. */
function runtimeConfig(flags: Map<string, string | true>): RuntimeConfig {
  const env = process.env;
  const str = (flag: string, envName: string): string | undefined => {
    const f = flags.get(flag);
    return typeof f === 'string' ? f : env[envName] || undefined;
  };
  const configPath = str('config', 'BATON_CONFIG');
  const port = Number(str('port', 'PORT') ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not "${str('port', 'PORT')}".`);
  const schema = env.BATON_DATABASE_SCHEMA;
  const sqliteSync = env.BATON_SQLITE_SYNC?.toLowerCase();
  if (sqliteSync !== undefined && sqliteSync !== '' && sqliteSync !== 'normal' && sqliteSync !== 'full') throw new Error(`BATON_SQLITE_SYNC must be normal or full, not "${env.BATON_SQLITE_SYNC}".`);
  const millis = (envName: string, fallback: number): number => {
    const raw = env[envName];
    if (!raw) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${envName} must be a positive number of milliseconds, not "${raw}".`);
    return n;
  };
  return Object.freeze({
    port,
    host: str('host', 'HOST') ?? '127.0.0.1',
    dataDir: resolve(str('data-dir', 'BATON_DATA_DIR') ?? './data'),
    databaseUrl: str('database-url', 'BATON_DATABASE_URL') ?? null,
    ...(schema ? { databaseSchema: schema } : {}),
    ...(sqliteSync ? { sqliteSync } : {}),
    config: configPath ? loadConfigFile(configPath) : null,
    logLevel: env.BATON_LOG_LEVEL ?? 'info',
    bodyLimit: Number(env.BATON_BODY_LIMIT ?? 1024 * 1024),
    ...(env.BATON_TRUST_PROXY ? { trustProxy: trustProxyOf(env.BATON_TRUST_PROXY) } : {}),
    ...(env.BATON_METRICS_TOKEN ? { metricsToken: env.BATON_METRICS_TOKEN } : {}),
    limits: {
      rateLimit: { perSecond: Number(env.BATON_RATE_LIMIT ?? 1000), burst: Number(env.BATON_RATE_BURST ?? env.BATON_RATE_LIMIT ?? 2000) },
      headersTimeoutMs: Number(env.BATON_HEADERS_TIMEOUT_MS ?? 10_000),
    },
    addresses: { allowPrivate: env.BATON_ALLOW_PRIVATE_URLS === 'true', allowLoopback: env.BATON_ALLOW_LOOPBACK_URLS !== 'false' },
    timerIntervalMs: 1000,
    version: version(),
    dispatch: true,
    delivery: Object.freeze({
      ...DEFAULT_DELIVERY,
      leaseMs: millis('BATON_DELIVERY_LEASE_MS', DEFAULT_DELIVERY.leaseMs),
      pollMs: millis('BATON_DELIVERY_POLL_MS', DEFAULT_DELIVERY.pollMs),
    }),
  });
}

async function start(cfg: RuntimeConfig): Promise<void> {
  let tracing: Awaited<ReturnType<typeof startTracing>>;
  try {
    // Before anything is built: the server installs its request spans only when tracing is on.
    tracing = await startTracing(process.env, cfg.version);
  } catch (err) {
    console.error(`baton: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
    return;
  }
  const baton = await createBaton(cfg);
  const url = await baton.listen();
  const where = cfg.databaseUrl?.startsWith('postgres') ? 'PostgreSQL' : `SQLite in ${cfg.dataDir}`;
  const lines = [
    `Baton ${cfg.version} is ready on ${url} (store: ${where})`,
    `  API docs   ${url}/docs   (OpenAPI: ${url}/openapi.json)`,
    `  Health     ${url}/healthz   ${url}/readyz`,
    `  Chat page  ${url}/chat`,
    `  Inbox      ${url}/inbox`,
  ];
  if (tracing) lines.push(`  Tracing    on: ${tracingChoice(process.env)!.exporters.join(', ')} (OTEL_* variables)`);
  if (!cfg.config) {
    // Said first and loudly: these credentials are printed here and in the README, so anyone who
    // can reach this address can use them.
    lines.unshift(
      'DEMO MODE: no --config given, so Baton runs the built-in demo account with PUBLISHED credentials.',
      '  Anyone who can reach this address can use them. Never expose it; for real use run `baton start --config baton.yaml`',
      '  (applying a configuration removes the demo account and its credentials).',
    );
    lines.push(
      '  Demo account "demo":',
      `    API key  ${DEMO_API_KEY}   (Authorization: Bearer ${DEMO_API_KEY})`,
      `    agent    ${DEMO_AGENT.id} / ${DEMO_AGENT.password}   (log in to the inbox with account "demo")`,
      `    try      curl -s -X POST ${url}/v1/channels/api/messages -H 'authorization: Bearer ${DEMO_API_KEY}' -H 'content-type: application/json' -d '{"customer":"+15550100","text":"hello"}'`,
    );
  }
  lines.push(...await generatedAddresses(baton, url));
  console.log(lines.join('\n'));
  const stop = async () => {
    // A stop must end: a connection or a delivery that does not let go within SHUTDOWN_MS is left
    // as a crash would leave it (leases run out, webhooks come again with their ids), which the
    // delivery guarantees already cover, rather than keeping a supervisor's stop waiting.
    const late = setTimeout(() => {
      console.error(`baton: still closing after ${SHUTDOWN_MS / 1000} s (open connections or deliveries under way); exiting now`);
      process.exit(1);
    }, SHUTDOWN_MS);
    late.unref();
    await baton.close();
    clearTimeout(late);
    // What the last requests traced is still buffered: sent before the process goes.
    await tracing?.shutdown().catch((err: unknown) => console.error('baton: exporting the last traces failed:', err));
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

async function main(argv: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(argv);
  const command = positionals[0] ?? 'start';
  if (command === 'help' || flags.has('help')) {
    console.log(HELP);
    return 0;
  }
  if (command === 'config') {
    const file = positionals[2];
    if (positionals[1] !== 'check' || !file) {
      console.error('Usage: baton config check FILE');
      return 2;
    }
    const cfg = loadConfigFile(file);
    console.log(`${file} is valid: ${cfg.accounts.length} account(s): ${cfg.accounts.map((a) => a.account.id).join(', ')}`);
    for (const w of configWarnings(cfg)) console.log(`warning: ${w}`);
    return 0;
  }
  const cfg = runtimeConfig(flags);
  if (command === 'start') {
    await start(cfg);
    return -1;
  }
  if (command === 'migrate') {
    const store = openStore({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir, ...(cfg.databaseSchema ? { schema: cfg.databaseSchema } : {}), ...(cfg.sqliteSync ? { sqliteSync: cfg.sqliteSync } : {}) });
    try {
      const { applied } = await store.migrate();
      console.log(applied.length ? `Applied ${applied.join(', ')}.` : 'The store is up to date.');
    } finally {
      await store.close();
    }
    return 0;
  }
  if (command === 'doctor') return doctor(cfg);
  if (command === 'emergency') {
    const state = positionals[1];
    const account = flags.get('account');
    const source = flags.get('source');
    const chosen = HAND_BACK.filter((c) => flags.has(c.replaceAll('_', '-')));
    const choiceOk = chosen.every((c) => flags.get(c.replaceAll('_', '-')) === true) && chosen.length <= 1 && (chosen.length === 0 || (state === 'off' && source === undefined));
    if ((state !== 'on' && state !== 'off') || typeof account !== 'string' || source === true || !choiceOk) {
      console.error('Usage: baton emergency on|off --account ACCOUNT [--source CHANNEL]');
      console.error('       baton emergency off --account ACCOUNT [--tell-bots | --quietly | --keep-with-agents]');
      return 2;
    }
    return emergency(cfg, { on: state === 'on', account, ...(typeof source === 'string' ? { source } : {}), ...(chosen[0] ? { handBack: chosen[0] } : {}) });
  }
  if (command === 'erase') {
    const [account, customer, channel] = ['account', 'customer', 'channel'].map((f) => flags.get(f));
    if (typeof account !== 'string' || typeof customer !== 'string' || channel === true) {
      console.error('Usage: baton erase --account ACCOUNT --customer CUSTOMER [--channel CHANNEL]');
      return 2;
    }
    return erase(cfg, { account, customer, ...(typeof channel === 'string' ? { channel } : {}) });
  }
  console.error(`Unknown command "${command}".\n\n${HELP}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    console.error(isBatonError(err) ? `baton: ${err.message}` : err);
    process.exitCode = 1;
  },
);

/**
 * Addresses whose token this start made up: the store keeps only its digest, so this banner (and
 * GET /v1/components until the process stops) is the one place it can be read.
 */
async function generatedAddresses(baton: Baton, url: string): Promise<string[]> {
  const out: string[] = [];
  for (const g of baton.addresses.generated) {
    const owner = g.ownerKind === 'component' ? await baton.store.getComponent(g.accountId, g.id) : await baton.store.getChannel(g.accountId, g.id);
    const path = owner && (g.ownerKind === 'component' ? baton.addresses.component(owner as Component) : baton.addresses.channel(owner as Channel));
    const redacted = owner && (g.ownerKind === 'component' ? componentInboundPath(owner as Component) : channelInboundPath(owner as Channel));
    // Only addresses that carry the token (IMI webhooks, Omnichannel channels) are worth showing.
    if (path && path !== redacted) out.push(`  New token  ${g.accountId}/${g.id}: ${url}${path}   (shown once: set ${g.ownerKind === 'component' ? 'secrets' : 'credentials'}.inboundToken to choose it)`);
  }
  return out;
}
