import type { RuntimeConfig } from '../app.js';
import { applyConfig } from '../config/apply-config.js';
import { channelDialectOf, channelInboundPath, componentDialectOf, componentInboundPath } from '../dialects/index.js';
import { openStore } from '../store/open-store.js';

/** Checks the store and prints what is configured, account by account. Exit code 1 if unhealthy. */
export async function doctor(cfg: RuntimeConfig): Promise<number> {
  const store = openStore({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir, ...(cfg.databaseSchema ? { schema: cfg.databaseSchema } : {}) });
  const out: string[] = [];
  let ok = true;
  try {
    try {
      await store.ping();
      out.push(`store      ${store.engine}: reachable`);
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
      if (cfg.config) await applyConfig(store, cfg.config);
    }
    if (pending.length === 0) {
      for (const account of await store.listAccounts()) {
        out.push('', `account ${account.id} (${account.name})${account.emergency ? '  EMERGENCY HANDOVER ON' : ''}`);
        out.push(`  reopen policy ${account.reopenPolicy}, thread inclusion delay ${account.threadInclusionDelayMs / 1000}s, availability ${account.availability.policy}`);
        for (const c of await store.listChannels(account.id)) {
          const inbound = channelInboundPath(c);
          const hint = channelDialectOf(c.kind)?.doctor?.channel?.(c) ?? (inbound ? `inbound: POST ${inbound}` : null);
          out.push(`  channel   ${c.id} (${c.kind})${c.active ? '' : ' OFF'}${c.emergency ? ' EMERGENCY (new threads to the humans)' : ''}${hint ? `  ${hint}` : ''}${c.outboundUrl ? `  outbound: ${c.outboundUrl}` : ''}`);
          // A warning, not a failure: the channel stays on (seed 004) and Baton checks again until it answers.
          if (c.reachability?.warning) out.push(`            WARNING ${c.reachability.warning} (checked ${c.reachability.checkedAt})`);
        }
        for (const c of await store.listComponents(account.id)) {
          if (c.health !== 'active') ok = false;
          const inbound = componentInboundPath(c);
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
