import { createContext } from 'preact';

/**
 * The inbox's one connection state. Every indicator reads it (the status text in the top bar, the
 * banner under it, the presence control, the conversation and admin panes); none keeps its own.
 *
 *   connecting ──socket open──▶ live ──socket closed, or a call finds Baton unreachable──▶ down
 *                                 ▲                                                       │
 *                                 └──────────────── socket open again ────────────────────┘
 *
 * An ended session is not a connection state: any 401 shows the login form (see App), and the
 * inbox comes back to the same place after logging in.
 */
export const CONNECTION = Object.freeze({ CONNECTING: 'connecting', LIVE: 'live', DOWN: 'down' } as const);
export type Connection = (typeof CONNECTION)[keyof typeof CONNECTION];

/** What the top bar says, in words (the dot beside it is only a repeat of this). */
export const CONNECTION_LABEL: Readonly<Record<Connection, string>> = Object.freeze({
  connecting: 'Connecting…',
  live: 'Live',
  down: 'Not connected, retrying',
});

/**
 * `since` counts the returns to live, so a pane can read again what it may have missed and drop
 * an "unreachable" error that is no longer true.
 */
export interface ConnectionInfo {
  state: Connection;
  since: number;
}

export const ConnectionContext = createContext<ConnectionInfo>({ state: CONNECTION.CONNECTING, since: 0 });
