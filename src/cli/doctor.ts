import type { RuntimeConfig } from '../app.js';
import { applyConfig } from '../config/apply-config.js';
import { channelDialectOf, channelInboundPath, componentDialectOf, componentInboundPath } from '../dialects/index.js';
import type { DialectDeps } from '../edge-kit/dialect-module.js';
import { type RetentionCounts, formatPeriod, retentionOf } from '../core/retention.js';
import type { RetentionRun } from '../core/retention-job.js';
import type { Account } from '../core/model.js';
import { openStore } from '../store/open-store.js';
import { KyselyRetention } from '../store/retention-store.js';

/** Checks the store and prints what is configured, account by account. Exit code 1 if unhealthy. */
export async function doctor(cfg: RuntimeConfig): Promise<number> {
  const store = openStore({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir, ...(cfg.databaseSchema ? { schema: cfg.databaseSchema } : {}), ...(cfg.sqliteSync ? { sqliteSync: cfg.sqliteSync } : {}) });
  const out: string[] = [];
  let ok = true;
  // Addresses carry the tokens of the file at hand; the store knows them only by digest.
  let addresses: DialectDeps['addresses'] = { component: componentInboundPath, channel: channelInboundPath };
  try {
    try {
      await store.ping();
      out.push(`store      ${store.engine}: reachable${store.capabilities.sync ? `, synchronous ${store.capabilities.sync}` : ''}`);
    } catch (err) {
      out.push(`store      ${store.engine}: NOT reachable (${(err as Error).message})`);
      console.log(out.join('\n'));
      return 1;
    }
    const pending = await store.pendingMigrations();
    if (pending.length > 0) {
      ok = false;
      out.push(`migrations ${pending.length} pending (${pending.join(', ')}): run \`baton migrate\``);
    } else {
      out.push('migrations up to date');
      if (cfg.config) addresses = (await applyConfig(store, cfg.config)).addresses;
    }
    if (pending.length === 0) {
      const retention = new KyselyRetention(store);
      out.push(`rows       ${(await retention.tableSizes()).map((s) => `${s.table} ${s.rows}`).join(', ')}`);
      const runs = new Map((await retention.lastRuns()).map((r) => [r.accountId, r]));
      for (const account of await store.listAccounts()) {
        out.push('', `account ${account.id} (${account.name})${account.emergency ? '  EMERGENCY HANDOVER ON' : ''}`);
        out.push(`  reopen policy ${account.reopenPolicy}, thread inclusion delay ${account.threadInclusionDelayMs / 1000}s, availability ${account.availability.policy}`);
        out.push(...retentionLines(account, runs.get(account.id)));
        for (const c of await store.listChannels(account.id)) {
          const inbound = addresses.channel(c);
          const hint = channelDialectOf(c.kind)?.doctor?.channel?.(c) ?? (inbound ? `inbound: POST ${inbound}` : null);
          out.push(`  channel   ${c.id} (${c.kind})${c.active ? '' : ' OFF'}${c.emergency ? ' EMERGENCY (new threads to the humans)' : ''}${hint ? `  ${hint}` : ''}${c.outboundUrl ? `  outbound: ${c.outboundUrl}` : ''}`);
          // A warning, not a failure: the channel stays on (seed 004) and Baton checks again until it answers.
          if (c.reachability?.warning) out.push(`            WARNING ${c.reachability.warning} (checked ${c.reachability.checkedAt})`);
        }
        for (const c of await store.listComponents(account.id)) {
          if (c.health !== 'active') ok = false;
          const inbound = addresses.component(c);
          const hint = componentDialectOf(c.dialect)?.doctor?.component?.(c) ?? (inbound ? `webhook: POST ${inbound}` : null);
          out.push(`  component ${c.id} (${c.kind}, ${c.dialect}) ${c.health}${c.url ? `  -> ${c.url}` : ''}${hint ? `  ${hint}` : ''}`);
        }
        for (const s of await store.listServices(account.id)) {
          out.push(`  service   ${s.id}: channels ${s.channels.join(', ')}; rules ${s.rules.map((r) => `${r.id} (${r.trigger.event} -> ${r.action.type})`).join(', ')}`);
        }
        const agents = await store.listAgents(account.id);
        out.push(`  agents    ${agents.map((a) => `${a.id} (${a.presence})`).join(', ') || 'none'}`);
      }
    }
  } finally {
    await store.close();
  }
  console.log(out.join('\n'));
  return ok ? 0 : 1;
}

const COUNT_NAMES: Record<keyof RetentionCounts, string> = { conversations: 'conversations', messages: 'messages', events: 'events', deliveries: 'deliveries', attempts: 'attempts', idempotencyKeys: 'idempotency keys', sessions: 'sessions', audit: 'audit lines', files: 'files' };

/** The account's retention periods and what the job's last run deleted. */
function retentionLines(account: Account, run: RetentionRun | undefined): string[] {
  const p = retentionOf(account);
  const periods = `  retention closed conversations ${formatPeriod(p.closedConversationsMs)}, deliveries ${formatPeriod(p.deliveriesMs)}, idempotency keys ${formatPeriod(p.idempotencyKeysMs)}, audit ${formatPeriod(p.auditMs)}`;
  if (!run) return [periods, '            not run yet'];
  const deleted = (Object.keys(COUNT_NAMES) as (keyof RetentionCounts)[]).filter((k) => run.deleted[k] > 0).map((k) => `${COUNT_NAMES[k]} ${run.deleted[k]}`);
  return [periods, `            last run ${run.finishedAt}: deleted ${deleted.join(', ') || 'nothing'}`];
}
