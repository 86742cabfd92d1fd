/**
 * The address the client server posts its visitors' messages to (seed 004, "Endpoint format"),
 * under Baton's own host. `{token}` is the channel's `credentials.inboundToken`.
 */
export function omnichannelInboundPath(token: string): string {
  return `/connector/omnichannel/omnichannel_message/${token}/bot_api_webhook`;
}
