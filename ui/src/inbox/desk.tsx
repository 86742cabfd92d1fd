import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { liveSocket } from '../shared/live-socket.js';
import { AdminPage } from './admin-page.js';
import { ConversationPane } from './conversation-pane.js';
import type { AgentRow, Card, InboxApi, Me, Presence } from './inbox-api.js';
import { QueueList } from './queue-list.js';
import { TopBar } from './top-bar.js';
import { go, useHashRoute } from './use-hash-route.js';

/**
 * The logged-in inbox: queues on the left, the open conversation beside them, or the admin pages.
 * Live updates only say "conversation X changed"; the desk then reads it again, so a missed push
 * is made up by the next one, by a reconnect, or by the half-minute refresh.
 */
export function Desk({ api, me, onMe, onLoggedOut }: { api: InboxApi; me: Me; onMe: (me: Me) => void; onLoggedOut: () => void }) {
  const route = useHashRoute();
  const [open, setOpen] = useState<Card[]>([]);
  const [closed, setClosed] = useState<Card[]>([]);
  const [agents, setAgents] = useState<AgentRow[]>([]);
  const [connected, setConnected] = useState(false);
  const [changed, setChanged] = useState<{ id: string; n: number }>({ id: '', n: 0 });
  const [, setTick] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

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
  const refreshMe = useCallback(() => api.me().then(onMe).catch(() => onLoggedOut()), [api, onMe, onLoggedOut]);

  useEffect(() => {
    const stop = liveSocket('/inbox/api/socket', {
      onOpen: () => void refreshLists().catch(() => {}),
      onState: setConnected,
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
    const poll = setInterval(() => {
      setTick((t) => t + 1);
      void refreshLists().catch(() => {});
    }, 30_000);
    return () => {
      stop();
      clearInterval(poll);
    };
  }, [refreshLists, refreshSoon, refreshMe]);

  const setPresence = async (p: Presence) => {
    await api.setPresence(p);
    await refreshMe();
  };
  const logout = async () => {
    await api.logout().catch(() => {});
    onLoggedOut();
  };

  const selectedId = route.page === 'conversations' ? route.id : null;
  return (
    <div class={`desk ${selectedId ? 'has-selection' : ''}`}>
      <TopBar me={me} page={route.page} connected={connected} onPresence={setPresence} onLogout={logout} />
      {route.page === 'admin' ? (
        me.agent.admin ? <AdminPage api={api} /> : <main class="admin"><p class="empty">The admin pages are for agents marked <code>admin: true</code> in baton.yaml.</p></main>
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
  );
}
