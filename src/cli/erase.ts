import type { RuntimeConfig } from '../app.js';
import { systemClock } from '../core/clock.js';
import { CustomerData } from '../core/customer-data.js';
import { onMigratedStore } from './migrated-store.js';

export interface EraseArgs {
  account: string;
  /** The customer's address, as in a conversation's `customer`. */
  customer: string;
  /** Only the customer's conversations on this channel. */
  channel?: string;
}

/**
 * `baton erase --account A --customer C [--channel CH]`: erases what customer C wrote and was told
 * in account A, like `POST /v1/customers/{customer}/erase`, working on the store like `doctor`.
 * The audit log names `cli` as the actor.
 */
export async function erase(cfg: RuntimeConfig, args: EraseArgs): Promise<number> {
  return onMigratedStore(cfg, async (store) => {
    const result = await new CustomerData(store, systemClock).erase(args.account, { customer: args.customer, ...(args.channel ? { channel: args.channel } : {}) }, 'cli');
    const total = (k: 'messages' | 'events' | 'deliveries') => result.conversations.reduce((n, c) => n + c[k], 0);
    console.log(`account ${args.account}, customer ${args.customer}${args.channel ? ` on channel ${args.channel}` : ''}: ${result.conversations.length} conversation(s); emptied ${total('messages')} message(s), ${total('events')} event(s), ${total('deliveries')} delivery(ies).`);
    for (const c of result.conversations) console.log(`  ${c.id}: ${c.messages} message(s), ${c.events} event(s), ${c.deliveries} delivery(ies)`);
    return 0;
  });
}
