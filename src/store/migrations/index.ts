import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001-initial.js';
import * as m002 from './002-delivery.js';
import * as m003 from './003-inbound-tokens.js';
import * as m004 from './004-channel-activation.js';
import * as m005 from './005-sessions.js';
import * as m006 from './006-work-items.js';
import * as m007 from './007-audit-log.js';
import * as m008 from './008-message-ids-per-chat.js';
import * as m009 from './009-delivery-snapshots.js';
import * as m010 from './010-config-truth.js';
import * as m011 from './011-delivery-parts.js';
import * as m012 from './012-emergency-sweeps.js';
import * as m013 from './013-customer-data.js';
import * as m014 from './014-retention.js';
import * as m015 from './015-customer-recent.js';
import * as m016 from './016-credential-kinds.js';
import * as m017 from './017-conversation-numbers.js';
import * as m019 from './019-agent-session-facts.js';
import * as m020 from './020-inbox-managed.js';
import * as m022 from './022-files.js';

/** The one migration history both engines share, in order. */
export const migrations: Record<string, Migration> = {
  '001-initial': m001,
  '002-delivery': m002,
  '003-inbound-tokens': m003,
  '004-channel-activation': m004,
  '005-sessions': m005,
  '006-work-items': m006,
  '007-audit-log': m007,
  '008-message-ids-per-chat': m008,
  '009-delivery-snapshots': m009,
  '010-config-truth': m010,
  '011-delivery-parts': m011,
  '012-emergency-sweeps': m012,
  '013-customer-data': m013,
  '014-retention': m014,
  '015-customer-recent': m015,
  '016-credential-kinds': m016,
  '017-conversation-numbers': m017,
  '019-agent-session-facts': m019,
  '020-inbox-managed': m020,
  '022-files': m022,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
