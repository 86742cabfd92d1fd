import { describe, expect, it } from 'vitest';
import { applyConfig } from '../../src/config/apply-config.js';
import { parseDuration, validateConfig } from '../../src/config/load-config.js';
import { isBatonError } from '../../src/core/errors.js';
import { engines } from '../helpers/engines.js';

const CONFIG = {
  accounts: [{
    id: 'acme',
    apiKeys: ['acme-key-0000000000000001'],
    threadInclusionDelay: '15m',
    channels: [{ id: 'web', kind: 'native' }],
    components: [{ id: 'bot', kind: 'bot', dialect: 'imi', secrets: { verificationToken: 'vt-acme' } }, { id: 'desk', kind: 'desk' }],
    services: [{ id: 'main', channels: ['web'], rules: [{ id: 'r1', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: 'bot', desk: 'desk' } }] }],
    agents: [{ id: 'alice', password: 'correct horse battery', teams: ['t1'] }],
  }],
};

describe('configuration', () => {
  it('parses durations', () => {
    expect(parseDuration('500ms', 0)).toBe(500);
    expect(parseDuration('30s', 0)).toBe(30_000);
    expect(parseDuration('10m', 0)).toBe(600_000);
    expect(parseDuration('2h', 0)).toBe(7_200_000);
    expect(parseDuration(undefined, 7)).toBe(7);
  });

  it('gives IMI components the documented retry policy and desks the blocking one', () => {
    const cfg = validateConfig(CONFIG);
    const [bot, desk] = cfg.accounts[0]!.components;
    expect(bot!.retry).toMatchObject({ timeoutMs: 5000, breakAfter: 5, onExhausted: 'skip' });
    expect(bot!.retry.schedule).toHaveLength(4);
    expect(bot!.retry.schedule.reduce((a, b) => a + b, 0)).toBe(3_600_000);
    expect(desk!.retry.onExhausted).toBe('block');
  });

  it('collects every problem in one error', () => {
    try {
      validateConfig({ accounts: [{ id: 'a b', channels: [{ id: 'x', kind: 'fax' }], bogus: 1 }] });
      expect.unreachable();
    } catch (err) {
      expect(isBatonError(err) && err.code).toBe('config_invalid');
      const problems = (err as { details: { problems: string[] } }).details.problems;
      expect(problems).toEqual(expect.arrayContaining([
        expect.stringMatching(/^accounts\[0\]\.id: /),
        'accounts[0].bogus: is not a known key',
        expect.stringMatching(/^accounts\[0\]\.channels\[0\]\.kind: must be one of/),
      ]));
    }
  });

  describe.each(engines)('applying on $name', (engine) => {
    it('is idempotent and keeps run-time state', async () => {
      const { store, dispose } = await engine.open();
      try {
        const cfg = validateConfig(CONFIG);
        await applyConfig(store, cfg);
        await store.transaction(async (tx) => {
          await tx.setAgentPresence('acme', 'alice', 'online');
          await tx.setAccountEmergency('acme', true);
        });
        await store.kysely.updateTable('components').set({ health: 'inactive' }).where('id', '=', 'bot').execute();
        const snapshot = async () => ({
          channels: await store.kysely.selectFrom('channels').selectAll().orderBy('id').execute(),
          components: await store.kysely.selectFrom('components').selectAll().orderBy('id').execute(),
          services: await store.kysely.selectFrom('services').selectAll().orderBy('id').execute(),
          agents: await store.kysely.selectFrom('agents').selectAll().orderBy('id').execute(),
          keys: await store.kysely.selectFrom('api_keys').selectAll().orderBy('key_hash').execute(),
        });
        const before = await snapshot();
        await applyConfig(store, cfg);
        expect(await snapshot()).toEqual(before);
        expect((await store.getAccount('acme'))!.emergency).toBe(true);
        expect((await store.getAgent('acme', 'alice'))!.presence).toBe('online');
        expect((await store.getComponent('acme', 'bot'))!.health).toBe('inactive');
        expect(before.keys[0]!.key_hash).not.toContain('acme-key');
        expect(before.agents[0]!.password_hash).toMatch(/^scrypt\$/);
      } finally {
        await dispose();
      }
    });
  });
});
