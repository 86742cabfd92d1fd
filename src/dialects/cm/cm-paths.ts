import type { Channel, Component } from '../../core/model.js';

/**
 * Where CM traffic reaches Baton. The Bot Router's addresses are per account (seed 002: the
 * `BotRouterAccountId` in the path is the Baton account id); a `cm` channel takes its customers'
 * MO webhooks at an address of its own.
 */
export const CM_PREFIX = '/conversational';

/** The BMProxy: CM's SDKs pointed here append `/v1.0/message`, which is accepted too. */
export function bmProxyPath(accountId: string): string {
  return `${CM_PREFIX}/bmproxy/v1/accounts/${encodeURIComponent(accountId)}`;
}

/** Where a cm component sends from: its account's BMProxy (it authenticates with its product token). */
export function cmComponentInboundPath(component: Component): string {
  return bmProxyPath(component.accountId);
}

/** The MO webhook of a `cm` channel; with `credentials.inboundToken` set, append `?token=<it>`. */
export function cmChannelInboundPath(channel: Channel): string {
  return `${CM_PREFIX}/channels/${encodeURIComponent(channel.accountId)}/${encodeURIComponent(channel.id)}/mo`;
}
