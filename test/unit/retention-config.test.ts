import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { DEFAULT_RETENTION, formatPeriod, parsePeriod, retentionOf } from '../../src/core/retention.js';

const DAY = 86_400_000;

function problems(retention: unknown): string[] {
  try {
    validateConfig({ accounts: [{ id: 'a', retention }] });
    return [];
  } catch (err) {
    expect((err as { code?: string }).code).toBe('config_invalid');
    return ((err as { details?: { problems?: string[] } }).details?.problems ?? []) as string[];
  }
}

describe('retention in baton.yaml', () => {
  it('reads whole minutes, hours and days, and keep', () => {
    const cfg = validateConfig({ accounts: [{ id: 'a', retention: { closedConversations: '90d', deliveries: '12h', idempotencyKeys: '30m', audit: 'keep' } }] });
    expect(cfg.accounts[0]!.account.retention).toEqual({ closedConversationsMs: 90 * DAY, deliveriesMs: 12 * 3_600_000, idempotencyKeysMs: 30 * 60_000, auditMs: null });
  });

  it('keeps conversations and the audit log, and prunes deliveries after 30 days and keys after a day, without a retention block', () => {
    const account = validateConfig({ accounts: [{ id: 'a' }] }).accounts[0]!.account;
    expect(account.retention).toBeUndefined();
    expect(retentionOf(account)).toEqual({ closedConversationsMs: null, deliveriesMs: 30 * DAY, idempotencyKeysMs: DAY, auditMs: null });
    // A block that names one period leaves the others at their defaults.
    const some = validateConfig({ accounts: [{ id: 'a', retention: { audit: '365d' } }] }).accounts[0]!.account;
    expect(retentionOf(some)).toEqual({ ...DEFAULT_RETENTION, auditMs: 365 * DAY });
  });

  it('refuses what is not a period, naming each key by its path, and changes nothing', () => {
    expect(problems({ closedConversations: '90 days', deliveries: '0d', idempotencyKeys: '1.5h', audit: '500ms' })).toEqual([
      'accounts[0].retention.closedConversations: "90 days" is not a period; write a whole number of minutes, hours or days (30m, 12h, 90d), or keep',
      'accounts[0].retention.deliveries: "0d" is not a period; write a whole number of minutes, hours or days (30m, 12h, 90d), or keep',
      'accounts[0].retention.idempotencyKeys: "1.5h" is not a period; write a whole number of minutes, hours or days (30m, 12h, 90d), or keep',
      'accounts[0].retention.audit: "500ms" is not a period; write a whole number of minutes, hours or days (30m, 12h, 90d), or keep',
    ]);
  });

  it('refuses a bare number (milliseconds would delete everything at once) and unknown keys', () => {
    expect(problems({ closedConversations: 90 })).toEqual(['accounts[0].retention.closedConversations: must be string']);
    expect(problems({ messages: '30d' })).toEqual(['accounts[0].retention.messages: is not a known key']);
  });

  it('writes periods back the way the file does', () => {
    expect([90 * DAY, 36 * 3_600_000, 90 * 60_000, null].map(formatPeriod)).toEqual(['90d', '36h', '90m', 'keep']);
    expect(parsePeriod('7d')).toBe(7 * DAY);
    expect(parsePeriod('keep')).toBeNull();
    expect(parsePeriod('7')).toBeUndefined();
  });
});
