import { allDialectsAccount, type AccountCredentials, credentialsOf, type SeededIds, seedAccount } from '../helpers/all-dialects.js';
import { startServer, type TestServer } from '../helpers/server.js';

export interface FuzzWorld {
  s: TestServer;
  /** Account `acme`: every fuzz case is sent with its credentials. */
  a: SeededIds;
  ca: AccountCredentials;
  /** Account `globex`: there so that a case leaking across accounts shows in the store too. */
  b: SeededIds;
}

/**
 * One real Baton on loopback (SQLite, a temporary file) with two accounts, each with a channel and
 * a component of every dialect and one conversation on each, made through the public routes.
 */
export async function startFuzzWorld(): Promise<FuzzWorld> {
  const s = await startServer('sqlite', { accounts: [allDialectsAccount('acme', 'a'), allDialectsAccount('globex', 'b')] });
  const a = await seedAccount(s, 'acme', 'a');
  const b = await seedAccount(s, 'globex', 'b');
  return { s, a, b, ca: credentialsOf('a') };
}
