import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type LiveSocket, liveSocket } from '../shared/live-socket.js';
import { AdminPage } from './admin-page.js';
import { CONNECTION, type ConnectionInfo, ConnectionContext } from './connection.js';
import { ConversationPane } from './conversation-pane.js';
import type { AgentRow, Card, InboxApi, Me, Presence } from './inbox-api.js';
import { QueueList } from './queue-list.js';
import { TopBar } from './top-bar.js';
import { go, useHashRoute } from './use-hash-route.js';

/** How often, while Baton cannot be reached, one call asks whether it is back (the socket alone waits up to 10 s between tries). */
const PROBE_MS = 2000;

/**
 * The logged-in inbox: queues on the left, the open conversation beside them, or the admin pages.
 * Live updates only say "conversation X changed"; the desk then reads it again, so a missed push
 * is made up by the next one, by a reconnect, or by the half-minute refresh. The connection state
 * lives here, once, and reaches every part through ConnectionContext.
 */
export function Desk({ api, me, onMe, onLoggedOut }: { api: InboxApi; me: Me; onMe: (me: Me) => void; onLoggedOut: () => void }) {
  const route = useHashRoute();
  const [open, setOpen] = useState<Card[]>([]);
  const [closed, setClosed] = useState<Card[]>([]);
  const [agents, setAgents] = useState<AgentRow[]>([]);
  const [connection, setConnection] = useState<ConnectionInfo>({ state: CONNECTION.CONNECTING, since: 0 });
  const [changed, setChanged] = useState<{ id: string; n: number }>({ id: '', n: 0 });
  const [, setTick] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const socket = useRef<LiveSocket | null>(null);
  const socketOpen = useRef(false);

  const toLive = useCallback(() => setConnection((c) => (c.state === CONNECTION.LIVE ? c : { state: CONNECTION.LIVE, since: c.since + 1 })), []);
  const toDown = useCallback(() => setConnection((c) => (c.state === CONNECTION.DOWN ? c : { state: CONNECTION.DOWN, since: c.since })), []);

  const refreshLists = useCallback(async () => {
    const [o, c, a] = await Promise.all([api.conversations('open'), api.conversations('closed'), api.agents()]);
    setOpen(o.items);
    setClosed(c.items);
    setAgents(a.items);
  }, [api]);
  const refreshSoon = useCallback(() => {
    clearTimeout(pending.current);
    pending.current = setTimeout(() => void refreshLists().catch(() => {}), 150);
  }, [refreshLists]);
  // A failed read changes nothing here: the API's watchers have seen it (a 401 brings the login
  // form back, an unreachable Baton the banner).
  const refreshMe = useCallback(() => api.me().then((m) => {
    onMe(m);
    return true;
  }, () => false), [api, onMe]);

  useEffect(() => api.watch({ unreachable: toDown }), [api, toDown]);

  useEffect(() => {
    const live = liveSocket('/inbox/api/socket', {
      onOpen: () => {
        socketOpen.current = true;
        toLive();
        void refreshLists().catch(() => {});
        void refreshMe();
      },
      onState: (up) => {
        if (up) return;
        socketOpen.current = false;
        toDown();
        // The socket cannot tell a stopped server from an ended session; this call can (a 401).
        void refreshMe();
      },
      onMessage: (m) => {
        const msg = m as { topic?: string; conversationId?: string };
        if (msg.topic === 'conversation' && msg.conversationId) {
          setChanged((c) => ({ id: msg.conversationId!, n: c.n + 1 }));
          refreshSoon();
        } else if (msg.topic === 'agents') {
          refreshSoon();
          void refreshMe();
        }
      },
    });
    socket.current = live;
    const poll = setInterval(() => {
      setTick((t) => t + 1);
      void refreshLists().catch(() => {});
    }, 30_000);
    return () => {
      live.close();
      socket.current = null;
      clearInterval(poll);
    };
  }, [refreshLists, refreshSoon, refreshMe, toLive, toDown]);

  // While down: is Baton back? Then live again (a call failed while the socket stayed up), or the
  // socket tries at once instead of after its back-off.
  useEffect(() => {
    if (connection.state !== CONNECTION.DOWN) return;
    const probe = setInterval(() => void refreshMe().then((back) => {
      if (!back) return;
      if (socketOpen.current) toLive();
      else socket.current?.reconnectNow();
    }), PROBE_MS);
    return () => clearInterval(probe);
  }, [connection.state, refreshMe, toLive]);

  const setPresence = async (p: Presence) => {
    await api.setPresence(p).catch(() => {});
    await refreshMe();
  };
  const logout = async () => {
    await api.logout().catch(() => {});
    onLoggedOut();
  };

  const selectedId = route.page === 'conversations' ? route.id : null;
  return (
    <ConnectionContext.Provider value={connection}>
      <div class={`desk ${selectedId ? 'has-selection' : ''}`}>
        <TopBar me={me} page={route.page} connection={connection.state} onPresence={setPresence} onLogout={logout} />
        {connection.state === CONNECTION.DOWN && (
          <p class="connection-banner" role="alert">
            <strong>Baton cannot be reached.</strong> The inbox reconnects by itself. Until then nothing new arrives and nothing you send is delivered; your reply drafts are kept.
          </p>
        )}
        {route.page === 'admin' ? (
          me.agent.admin ? <AdminPage api={api} account={me.account.name} /> : <main class="admin"><p class="empty">The admin pages are for agents marked <code>admin: true</code> in baton.yaml.</p></main>
        ) : (
          <main class="work">
            <QueueList me={me} open={open} closed={closed} agents={agents} selectedId={selectedId} onSelect={(id) => go({ page: 'conversations', id })} />
            {selectedId ? (
              <ConversationPane key={selectedId} api={api} me={me} id={selectedId} changed={changed.id === selectedId ? changed.n : 0} onAction={refreshSoon} onBack={() => go({ page: 'conversations', id: null })} />
            ) : (
              <section class="pane pane-empty" aria-label="No conversation selected">
                <div class="empty">
                  <h2>Pick a conversation</h2>
                  <p>Waiting visitors are in <strong>Queue</strong>, longest wait first. Conversations with the bot can be taken over at any time.</p>
                </div>
              </section>
            )}
          </main>
        )}
      </div>
    </ConnectionContext.Provider>
  );
}
