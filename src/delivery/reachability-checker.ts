import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Channel, ChannelReachability } from '../core/model.js';
import type { Store } from '../core/ports.js';
import type { HttpSender } from './http-sender.js';
import type { ChannelCheck, RendererLookup } from './ports.js';

const PROBE_TIMEOUT_MS = 5000;

/**
 * Checks that a channel's own server answers at its URL and records the outcome on the channel.
 * A failed check is a warning, never a refusal (seed 004: "The channel will be activated despite
 * the problems"), and it stays on the channel until a later check finds the server answering.
 *
 * @example await checker.check(channel) // { warning: "Can't reach channel: ECONNREFUSED …", checkedAt: "…" }
 */
export class ReachabilityChecker implements ChannelCheck {
  constructor(
    private readonly store: Store,
    private readonly sender: HttpSender,
    private readonly renderers: RendererLookup,
    private readonly clock: Clock,
    private readonly log: Logger | null = null,
  ) {}

  /** Checks one channel and records the result; null (nothing recorded) when its kind has no probe. */
  async check(channel: Channel): Promise<ChannelReachability | null> {
    const target = { kind: 'channel' as const, channel };
    const request = this.renderers(target)?.probe?.(target);
    if (!request) return null;
    const result = await this.sender.send(request, PROBE_TIMEOUT_MS);
    // Any answer short of a server error means someone is there, even a 404 for a server that
    // only implements /send_message; a 5xx is usually a proxy whose upstream is down.
    const problem = !result.response ? result.error ?? 'no answer' : result.response.status >= 500 ? `it answered HTTP ${result.response.status}` : null;
    const reachability: ChannelReachability = { warning: problem ? `Can't reach channel: ${problem}` : null, checkedAt: this.clock.now().toISOString() };
    await this.store.transaction((tx) => tx.recordChannelReachability(channel.accountId, channel.id, reachability));
    return reachability;
  }

  /**
   * Checks every active channel that has a probe (at start), or only those whose last check left a
   * warning (afterwards, until they answer). One channel's failure does not stop the others.
   */
  async checkAll(opts: { warnedOnly: boolean }): Promise<void> {
    for (const account of await this.store.listAccounts()) {
      const channels = (await this.store.listChannels(account.id)).filter((c) => c.active && (!opts.warnedOnly || Boolean(c.reachability?.warning)));
      await Promise.all(channels.map((c) => this.check(c).catch((err: unknown) => this.log?.warn({ err, channel: c.id }, 'checking a channel failed'))));
    }
  }
}
