/**
 * IMI's `Channel` names the channel the customer wrote on as IMI spells it (`"Channel" : "FB"`,
 * seeds 000/001), not a Baton channel id. A channel declares its name (`imiChannel: FB`); every IMI
 * component of the account carries the names as `options.channelNames`, so the renderer, which sees
 * the conversation's channel only by id, needs no look-up. A component's own entry wins.
 */
export function withImiChannelNames(options: Record<string, unknown>, channels: { id: string; imiChannel?: string }[]): Record<string, unknown> {
  const declared = Object.fromEntries(channels.filter((c) => c.imiChannel).map((c) => [c.id, c.imiChannel!]));
  if (Object.keys(declared).length === 0) return options;
  const own = typeof options.channelNames === 'object' && options.channelNames !== null ? (options.channelNames as Record<string, unknown>) : {};
  return { ...options, channelNames: { ...declared, ...own } };
}

/** The `Channel` value of an event on `channelId`: its IMI name when it has one, else its id. */
export function imiChannelName(options: Record<string, unknown>, channelId: string): string {
  const names = options.channelNames;
  const name = typeof names === 'object' && names !== null ? (names as Record<string, unknown>)[channelId] : undefined;
  return typeof name === 'string' && name ? name : channelId;
}
