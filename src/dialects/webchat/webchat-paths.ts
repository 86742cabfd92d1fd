import type { Channel } from '../../core/model.js';

/** The chat page of a web chat channel: where visitors talk, and where the widget snippet is shown. */
export function webchatPagePath(channel: Pick<Channel, 'accountId' | 'id'>): string {
  return `/chat/${encodeURIComponent(channel.accountId)}/${encodeURIComponent(channel.id)}`;
}

/** The page the widget opens in its frame. */
export function webchatFramePath(channel: Pick<Channel, 'accountId' | 'id'>): string {
  return `${webchatPagePath(channel)}/frame`;
}
