import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/core/group-commit.js';
import { WriteConflict } from '../../src/core/ports.js';
import { engines } from '../helpers/engines.js';

describe.each(engines)('group commit on $name', (engine) => {
  it('runs a burst in few transactions, and one failing command costs the others nothing', async () => {
    const { store, dispose } = await engine.open();
    try {
      let transactions = 0;
      const counting = { ...store, transaction: <T>(fn: Parameters<typeof store.transaction<T>>[0]) => { transactions++; return store.transaction(fn); } } as typeof store;
      const commits = new GroupCommit(counting, 1);
      const write = (key: string) => commits.submit((tx) => tx.putIdempotency('acme', key, { fingerprint: 'f', result: key, createdAt: '2026-01-01T00:00:00.000Z' }).then(() => key));
      const results = await Promise.allSettled([
        ...Array.from({ length: 20 }, (_, i) => write(`k${i}`)),
        commits.submit(async (tx) => {
          await tx.putIdempotency('acme', 'doomed', { fingerprint: 'f', result: 1, createdAt: '2026-01-01T00:00:00.000Z' });
          throw new Error('this command fails after writing');
        }),
        ...Array.from({ length: 20 }, (_, i) => write(`m${i}`)),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(40);
      expect(results[20]).toMatchObject({ status: 'rejected', reason: { message: 'this command fails after writing' } });
      for (let i = 0; i < 20; i++) {
        expect(await store.getIdempotency('acme', `k${i}`)).toBeDefined();
        expect(await store.getIdempotency('acme', `m${i}`)).toBeDefined();
      }
      expect(await store.getIdempotency('acme', 'doomed')).toBeUndefined();
      // one batch that failed, then each command alone: far fewer transactions than 2 x 41 would be
      expect(transactions).toBeLessThan(50);
    } finally {
      await dispose();
    }
  });

  it('runs a command again when another writer won a race, and gives up after a few tries', async () => {
    const { store, dispose } = await engine.open();
    try {
      const commits = new GroupCommit(store, 1);
      let tries = 0;
      const value = await commits.submit(async () => {
        tries++;
        if (tries < 3) throw new WriteConflict(new Error('unique violation'));
        return 'won';
      });
      expect([value, tries]).toEqual(['won', 3]);
      let always = 0;
      await expect(commits.submit(async () => {
        always++;
        throw new WriteConflict(new Error('unique violation'));
      })).rejects.toBeInstanceOf(WriteConflict);
      expect(always).toBe(6);
    } finally {
      await dispose();
    }
  });

  it('commits a command a person waits for before a backlog of routine ones, which still move', async () => {
    const { store, dispose } = await engine.open();
    try {
      const commits = new GroupCommit(store, 1, 16);
      const order: string[] = [];
      const write = (key: string, urgent: boolean) => commits.submit(async (tx) => {
        await tx.putIdempotency('acme', key, { fingerprint: 'f', result: key, createdAt: '2026-01-01T00:00:00.000Z' });
        return key;
      }, urgent).then((k) => void order.push(k));
      // A backlog of 200 routine commands, then one urgent command behind it.
      const all = [...Array.from({ length: 200 }, (_, i) => write(`routine${i}`, false)), write('customer', true)];
      await Promise.all(all);
      const at = order.indexOf('customer');
      // It rides in the first batch: behind at most the routine share of one batch, not the 200.
      expect(at).toBeGreaterThanOrEqual(0);
      expect(at).toBeLessThan(16);
      expect(order).toHaveLength(201);
      for (let i = 0; i < 200; i++) expect(await store.getIdempotency('acme', `routine${i}`)).toBeDefined();
    } finally {
      await dispose();
    }
  });
});
