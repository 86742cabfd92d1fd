import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applyConfig } from '../../src/config/apply-config.js';
import { validateConfig } from '../../src/config/load-config.js';
import { verifyPassword } from '../../src/inbox/passwords.js';
import { engines } from '../helpers/engines.js';

const PASSWORD = 'correct horse battery';
const cfg = () => validateConfig({ accounts: [{ id: 'acme', channels: [{ id: 'web', kind: 'native' }], agents: [{ id: 'alice', password: PASSWORD }] }] });

/** A hash as an older Baton made it: scrypt at N=2^14, r=8, p=1. */
function oldHash(password: string): string {
  const salt = randomBytes(16);
  return `scrypt$16384$8$1$${salt.toString('base64url')}$${scryptSync(password, salt, 32, { N: 16384, r: 8, p: 1 }).toString('base64url')}`;
}

describe.each(engines)('agent password hashes on $name', (engine) => {
  it('hashes at N=2^15, r=8, p=3, and replaces a hash of weaker parameters when the configuration is applied, before any login', async () => {
    const { store, dispose } = await engine.open();
    try {
      await applyConfig(store, cfg());
      const fresh = (await store.agentPasswordHash('acme', 'alice'))!;
      expect(fresh).toMatch(/^scrypt\$32768\$8\$3\$/);
      await store.kysely.updateTable('agents').set({ password_hash: oldHash(PASSWORD) }).where('id', '=', 'alice').execute();
      expect(await verifyPassword(PASSWORD, (await store.agentPasswordHash('acme', 'alice'))!)).toBe(true);
      await applyConfig(store, cfg());
      const rehashed = (await store.agentPasswordHash('acme', 'alice'))!;
      expect(rehashed).toMatch(/^scrypt\$32768\$8\$3\$/);
      expect(await verifyPassword(PASSWORD, rehashed)).toBe(true);
      expect(await verifyPassword('not the password', rehashed)).toBe(false);
    } finally {
      await dispose();
    }
  });
});
