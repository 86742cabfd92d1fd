import { type RetentionPolicy, DEFAULT_RETENTION, parsePeriod } from '../core/retention.js';
import type { RetentionConfig } from './config-schema.js';

const KEYS = { closedConversations: 'closedConversationsMs', deliveries: 'deliveriesMs', idempotencyKeys: 'idempotencyKeysMs', audit: 'auditMs' } as const satisfies Record<keyof RetentionConfig, keyof RetentionPolicy>;

/** The account's `retention:` block over the defaults; call after retentionProblems found none. */
export function retentionPolicy(cfg: RetentionConfig | undefined): RetentionPolicy {
  const out: RetentionPolicy = { ...DEFAULT_RETENTION };
  for (const [key, field] of Object.entries(KEYS) as [keyof RetentionConfig, keyof RetentionPolicy][]) {
    const text = cfg?.[key];
    if (text !== undefined) out[field] = parsePeriod(text) ?? null;
  }
  return out;
}

/** Periods that are not periods, each named by its path. */
export function retentionProblems(cfg: RetentionConfig | undefined, at: string): string[] {
  if (!cfg) return [];
  const out: string[] = [];
  for (const key of Object.keys(KEYS) as (keyof RetentionConfig)[]) {
    const text = cfg[key];
    if (text !== undefined && parsePeriod(text) === undefined) out.push(`${at}.${key}: "${text}" is not a period; write a whole number of minutes, hours or days (30m, 12h, 90d), or keep`);
  }
  return out;
}
