import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type LiveSocket, liveSocket } from '../shared/live-socket.js';
import { AdminPage } from './admin-page.js';
import { Alerts } from './alerts.js';
import { CONNECTION, type ConnectionInfo, ConnectionContext } from './connection.js';
import { ConversationPane } from './conversation-pane.js';
import type { AgentRow, Card, InboxApi, Me, Presence } from './inbox-api.js';
import { QueueList } from './queue-list.js';
import { arrivals, inQueue, isMine } from './queues.js';
import { SeenStore } from './seen-store.js';
import { ShortcutHelp } from './shortcut-help.js';
import { useShortcuts } from './shortcuts.js';
import { TopBar } from './top-bar.js';
import { visitorTyped } from './typing.js';
import { go, useHashRoute } from './use-hash-route.js';

/** How often, while Baton cannot be reached, one call asks whether it is back (the socket alone waits up to 10 s between tries). */
const PROBE_MS = 2000;
const TITLE = 'Inbox · Baton';

/**
 * The logged-in inbox: queues on the left, the open conversation beside them, or the admin pages.
 * Live updates only say "conversation X changed"; the desk then reads it again, so a missed push
 * is made up by the next one, by a reconnect, or by the half-minute refresh. The connection state
 * lives here, once, and reaches every part through ConnectionContext. So does attention: what
 * this agent has read (SeenStore), the count in the tab's title (the queue, and theirs with unread
 * messages), and the alerts for what is new between two reads of the queues.
 */
export function Desk({ api, me, onMe, onLoggedOut }: { api: InboxApi; me: Me; onMe: (me: Me) => void; onLoggedOut: () => void }) {
  const [open, setOpen] = useState<Card[]>([]);
  const [closed, setClosed] = useState<Card[]>([]);
  const [agents, setAgents] = useState<AgentRow[]>([]);
  const [connection, setConnection] = useState<ConnectionInfo>({ state: CONNECTION.CONNECTING, since: 0 });
  const [changed, setChanged] = useState<{ id: string; n: number }>({ id: '', n: 0 });
  const [, setTick] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const socket = useRef<LiveSocket | null>(null);
  const socketOpen = useRef(false);
  const seen = useMemo(() => new SeenStore(me), [me.account.id, me.agent.id]);
  const alerts = useMemo(() => new Alerts(me), [me.account.id, me.agent.id]);
  const [, setSeenVersion] = useState(0);
  const [pageVisible, setPageVisible] = useState(() => document.visibilityState === 'visible');
  const lastOpen = useRef<Card[] | null>(null);
  const reads = useRef(0);
  const route = useHashRoute();
  const [help, setHelp] = useState(false);
  const toggleHelp = useCallback(() => setHelp((h) => !h), []);
  useShortcuts(route.page === 'conversations', toggleHelp);
  const selectedId = route.page === 'conversations' ? route.id : null;
  const looking = useRef({ id: selectedId, visible: pageVisible });
  looking.current = { id: selectedId, visible: pageVisible };

  const toLive = useCallback(() => setConnection((c) => (c.state === CONNECTION.LIVE ? c : { state: CONNECTION.LIVE, since: c.since + 1 })), []);
  const toDown = useCallback(() => setConnection((c) => (c.state === CONNECTION.DOWN ? c : { state: CONNECTION.DOWN, since: c.since })), []);

  const refreshLists = useCallback(async () => {
    const n = ++reads.current;
    const [o, c, a] = await Promise.all([api.conversations('open'), api.conversations('closed'), api.agents()]);
    // An older read answering late must not undo a newer one (nor announce its news twice).
    if (n !== reads.current) return;
    const before = lastOpen.current;
    lastOpen.current = o.items;
    setOpen(o.items);
    setClosed(c.items);
    setAgents(a.items);
    if (!before) return;
    const { id, visible } = looking.current;
    alerts.announce(arrivals(before, o.items, me.agent.id).filter((x) => !(visible && x.id === id)), (to) => go({ page: 'conversations', id: to }));
  }, [api, alerts, me.agent.id]);
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
        } else if (msg.topic === 'typing' && msg.conversationId) {
          visitorTyped(msg.conversationId);
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

  // What the agent has open in a visible tab is read; another tab of theirs may have read more.
  useEffect(() => {
    const onVisibility = () => setPageVisible(document.visibilityState === 'visible');
    const onStorage = (e: StorageEvent) => {
      if (e.key !== seen.storageKey) return;
      seen.reload();
      setSeenVersion((v) => v + 1);
    };
    document.addEventListener('visibilitychange', onVisibility);
    addEventListener('storage', onStorage);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      removeEventListener('storage', onStorage);
    };
  }, [seen]);
  useEffect(() => {
    if (!selectedId || !pageVisible) return;
    const card = open.find((c) => c.id === selectedId) ?? closed.find((c) => c.id === selectedId);
    if (card && seen.markSeen(card)) setSeenVersion((v) => v + 1);
  }, [selectedId, pageVisible, open, closed, seen]);
  const attention = open.filter((c) => inQueue(c) || (isMine(c, me.agent.id) && seen.unread(c) > 0)).length;
  useEffect(() => {
    document.title = attention > 0 ? `(${attention}) ${TITLE}` : TITLE;
  }, [attention]);
  useEffect(() => () => {
    document.title = TITLE;
  }, []);

  return (
    <ConnectionContext.Provider value={connection}>
      <div class={`desk ${selectedId ? 'has-selection' : ''}`}>
        <TopBar me={me} page={route.page} connection={connection.state} alerts={alerts} onPresence={setPresence} onLogout={logout} onHelp={toggleHelp} />
        {help && <ShortcutHelp onClose={() => setHelp(false)} />}
        {connection.state === CONNECTION.DOWN && (
          <p class="connection-banner" role="alert">
            <strong>Baton cannot be reached.</strong> The inbox reconnects by itself. Until then nothing new arrives and nothing you send is delivered; your reply drafts are kept.
          </p>
        )}
        {route.page === 'admin' ? (
          me.agent.admin ? <AdminPage api={api} account={me.account.name} teams={me.account.teams} me={me.agent.id} presence={agents} /> : <main class="admin"><p class="empty">The admin pages are for admin agents (<code>admin: true</code> in baton.yaml, or made admin on the admin page).</p></main>
        ) : (
          <main class="work">
            <QueueList api={api} me={me} open={open} closed={closed} agents={agents} unread={(c) => seen.unread(c)} selectedId={selectedId} onSelect={(id) => go({ page: 'conversations', id })} />
            {selectedId ? (
              <ConversationPane key={selectedId} api={api} me={me} agents={agents} id={selectedId} changed={changed.id === selectedId ? changed.n : 0} onAction={refreshSoon} onBack={() => go({ page: 'conversations', id: null })} />
            ) : (
              <section class="pane pane-empty" aria-label="No conversation selected">
                <div class="empty">
                  <h2>Pick a conversation</h2>
                  <p>Waiting visitors are in <strong>Queue</strong>, longest wait first. Conversations with the bot can be taken over at any time.</p>
                  <p class="muted small">Search with <kbd>/</kbd>; <kbd>?</kbd> lists the keyboard shortcuts.</p>
                </div>
              </section>
            )}
          </main>
        )}
      </div>
    </ConnectionContext.Provider>
  );
}
