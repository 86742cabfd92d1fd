import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001-initial.js';

/** The one migration history both engines share, in order. */
export const migrations: Record<string, Migration> = {
  '001-initial': m001,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
