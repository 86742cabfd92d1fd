import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { clock } from '../shared/format.js';
import { ApiError } from '../shared/http.js';
import { FilePreview } from '../shared/file-preview.js';
import { LinkedText } from '../shared/linked-text.js';
import { DEFAULT_LIMITS, fileProblem } from '../shared/upload.js';
import { AssignForm } from './assign-form.js';
import { Composer, type ComposerMode } from './composer.js';
import { cardState } from './card-state.js';
import { ConnectionContext } from './connection.js';
import { DetailsPanel } from './details-panel.js';
import { HandbackForm } from './handback-form.js';
import { HeldNotice } from './held-notice.js';
import { byDay, dayLabel } from './day-label.js';
import type { Action, AgentRow, Content, Detail, InboxApi, Me, TimelineItem } from './inbox-api.js';
import { ReplyDraft } from './reply-draft.js';
import { useTypingSignal, useVisitorTyping } from './typing.js';

type Panel = 'none' | 'handback' | 'transfer' | 'assign';

/**
 * One conversation: its whole story (bot part included) with the notes of every change of control,
 * what the bot passed on, and the agent's actions. `changed` moves when a live update names it.
 * The reply draft is kept in the tab (ReplyDraft) until it is sent, through an ended session too.
 * In a conversation another agent holds, the reply box gives way to who took it and when; a take
 * that lost a race (409 conversation_taken) says so, and only an assignment takes it from them.
 */
export function ConversationPane({ api, me, agents, id, changed, onAction, onBack }: { api: InboxApi; me: Me; agents: AgentRow[]; id: string; changed: number; onAction: () => void; onBack: () => void }) {
  const connection = useContext(ConnectionContext);
  const mountedAt = useRef(connection.since);
  const saved = useMemo(() => new ReplyDraft(me, id), [me.account.id, me.agent.id, id]);
  const [detail, setDetail] = useState<Detail | null>(null);
  const [missing, setMissing] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<Failure | null>(null);
  const [error, setError] = useState<Failure | null>(null);
  const [panel, setPanel] = useState<Panel>('none');
  const [draft, setDraftState] = useState(() => saved.read());
  const [busy, setBusy] = useState(false);
  const [uploading, setUploading] = useState<{ name: string; done: number } | null>(null);
  const [mode, setMode] = useState<ComposerMode>('reply');
  const [team, setTeam] = useState('');
  // Both name the holder they are about, so they lapse by themselves when someone else holds it.
  const [racedBy, setRacedBy] = useState<string | null>(null);
  const [replyingOver, setReplyingOver] = useState<string | null>(null);
  const log = useRef<HTMLOListElement>(null);
  const replyBox = useRef<HTMLTextAreaElement>(null);
  const visitorTyping = useVisitorTyping(id, detail?.conversation.lastCustomerMessageAt ?? null);
  const webchat = detail?.channel.kind === 'webchat';
  // A private note, or a conversation another agent holds (notes only), tells the visitor nothing.
  const holder = detail?.conversation.agentSession?.agentId ?? null;
  const notesOnlyNow = holder !== null && holder !== me.agent.id && replyingOver !== holder;
  const replying = mode === 'reply' && !notesOnlyNow && detail?.conversation.status === 'open' && detail.conversation.controller === 'desk';
  useTypingSignal(api, id, draft, Boolean(webchat && replying));
  const setDraft = (text: string) => {
    setDraftState(text);
    saved.write(text);
  };

  const load = useCallback(async () => {
    try {
      setDetail(await api.conversation(id));
      setLoadError(null);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setMissing(err.message);
      // A 401 needs nothing here: the login form replaces the desk.
      else if (!(err instanceof ApiError && err.status === 401)) setLoadError(failure(err));
    }
  }, [api, id]);
  useEffect(() => void load(), [load, changed]);
  // Back from an outage: read again what was missed, and an "unreachable" error is no longer true.
  useEffect(() => {
    if (connection.since === mountedAt.current) return;
    setError((e) => (e?.unreachable ? null : e));
    void load();
  }, [connection.since]);
  useEffect(() => {
    if (log.current) log.current.scrollTop = log.current.scrollHeight;
  }, [detail?.timeline.length]);
  useEffect(() => {
    if (replyingOver) replyBox.current?.focus();
  }, [replyingOver]);
  // After a take the agent's next move is the answer: the reply box gets the focus once it is enabled.
  const focusAfterTake = useRef(false);
  useEffect(() => {
    const box = replyBox.current;
    if (!focusAfterTake.current || !box || box.disabled) return;
    focusAfterTake.current = false;
    box.focus();
  }, [detail]);

  const act = async (action: Action, body: object = {}, accepted?: () => void) => {
    setBusy(true);
    setError(null);
    try {
      await api.act(id, action, body);
      accepted?.();
      setPanel('none');
      await load();
      onAction();
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'conversation_taken') {
        // Another agent was first: what to show is who, read again with the rest.
        setRacedBy(typeof err.details.agentId === 'string' ? err.details.agentId : null);
        setPanel('none');
        await load();
        onAction();
      } else if (!(err instanceof ApiError && err.status === 401)) setError(failure(err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  if (missing) {
    return (
      <section class="pane">
        <div class="empty" role="alert"><h2>Conversation not found</h2><p>{missing}</p><button class="btn" type="button" onClick={onBack}>Back to the queues</button></div>
      </section>
    );
  }
  if (!detail) {
    return (
      <section class="pane" aria-busy={loadError ? undefined : 'true'}>
        {loadError ? (
          <div class="empty" role="alert">
            <h2>{loadError.unreachable ? 'Not loaded: Baton cannot be reached' : 'This conversation did not load'}</h2>
            <p>{loadError.unreachable ? 'It loads by itself when Baton is back.' : loadError.text}</p>
            <button class="btn" type="button" onClick={() => void load()}>Try again</button>
          </div>
        ) : <p class="empty">Loading…</p>}
      </section>
    );
  }

  const c = detail.conversation;
  const state = cardState(c, me.agent.id);
  const isOpen = c.status === 'open';
  const s = c.agentSession;
  const deskAnswers = isOpen && c.controller === 'desk';
  const holderId = isOpen && s?.agentId && s.agentId !== me.agent.id ? s.agentId : null;
  const holderName = s?.agentName ?? agents.find((a) => a.id === holderId)?.name ?? holderId ?? '';
  const notesOnly = holderId !== null && replyingOver !== holderId;
  const mayTake = s && (!s.agentId || (s.agentId === me.agent.id && s.status === 'deferred'));
  const flows = me.bots.find((b) => b.id === detail.bot)?.flows ?? [];
  const take = async () => {
    focusAfterTake.current = await act('take');
    // act() read the conversation again already: focus now if that render has happened.
    if (focusAfterTake.current && replyBox.current && !replyBox.current.disabled) {
      focusAfterTake.current = false;
      replyBox.current.focus();
    }
  };
  const send = async (text: string, as: ComposerMode) => {
    if (!text.trim() || busy) return;
    // The draft goes the moment Baton has the message, before the conversation is read again: a
    // reload in between must not bring back, to be sent twice, what was sent.
    await act(as === 'note' ? 'note' : 'reply', { text: text.trim() }, () => setDraft(''));
  };

  const attach = async (file: File) => {
    const problem = fileProblem(file, me.files ?? DEFAULT_LIMITS);
    if (problem) {
      setError({ text: problem, unreachable: false });
      return;
    }
    setError(null);
    setUploading({ name: file.name, done: 0 });
    try {
      await api.upload(id, file, (done) => setUploading({ name: file.name, done }));
      await load();
      onAction();
    } catch (err) {
      setError(failure(err));
    } finally {
      setUploading(null);
    }
  };

  return (
    <section class="pane" aria-label={`Conversation with ${c.displayName}`}>
      <div class="conv">
        <header class="conv-head">
          <button class="btn btn-ghost back" type="button" onClick={onBack} aria-label="Back to the queues">←</button>
          <div class="conv-title">
            <h2>{c.displayName}</h2>
            <span class="muted small">{detail.channel.id} ({detail.channel.kind}) · {c.team ? `team ${c.team}` : 'general queue'}</span>
          </div>
          <span class={`badge tone-${state.tone}`} data-testid="conversation-state">{state.label}</span>
        </header>
        {isOpen && (
          <div class="actions" role="toolbar" aria-label="Actions">
            {c.controller === 'bot' && <button class="btn btn-primary" type="button" data-shortcut="take" disabled={busy} onClick={take}>Take over from bot</button>}
            {c.controller !== 'bot' && mayTake && <button class="btn btn-primary" type="button" data-shortcut="take" disabled={busy} onClick={take}>Take</button>}
            {s && <button class="btn" type="button" disabled={busy} aria-expanded={panel === 'assign'} onClick={() => setPanel(panel === 'assign' ? 'none' : 'assign')}>{holderId ? 'Reassign…' : 'Assign…'}</button>}
            {c.controller === 'desk' && detail.bot && <button class="btn" type="button" disabled={busy} aria-expanded={panel === 'handback'} onClick={() => setPanel(panel === 'handback' ? 'none' : 'handback')}>Hand back to bot</button>}
            {s && <button class="btn" type="button" disabled={busy} aria-expanded={panel === 'transfer'} onClick={() => setPanel(panel === 'transfer' ? 'none' : 'transfer')}>Transfer</button>}
            {s && s.status !== 'deferred' && <button class="btn" type="button" disabled={busy} onClick={() => act('defer')}>Defer</button>}
            <button class="btn btn-danger-quiet" type="button" data-shortcut="close" disabled={busy} onClick={() => act('close')}>Close</button>
          </div>
        )}
        {panel === 'handback' && <HandbackForm flows={flows} position={detail.position} busy={busy} onCancel={() => setPanel('none')} onSubmit={(flow, step) => act('handback', flow && step ? { flow, step } : {})} />}
        {panel === 'assign' && <AssignForm agents={agents} holder={s?.agentId ? { id: s.agentId, name: s.agentName ?? s.agentId } : null} busy={busy} onCancel={() => setPanel('none')} onSubmit={(agentId) => void act('assign', { agentId })} />}
        {panel === 'transfer' && (
          <form class="inline-form" onSubmit={(e) => { e.preventDefault(); void act('transfer', { team: team || null }); }}>
            <label class="inline-label">
              Transfer to
              <select value={team} onChange={(e) => setTeam(e.currentTarget.value)} autofocus>
                <option value="">General queue</option>
                {me.account.teams.map((t) => <option key={t} value={t}>Team {t}</option>)}
              </select>
            </label>
            <button class="btn btn-primary" type="submit" disabled={busy}>Transfer</button>
            <button class="btn btn-ghost" type="button" onClick={() => setPanel('none')}>Cancel</button>
          </form>
        )}
        {error && <p class="form-error banner" role="alert">{error.unreachable ? 'Not done: Baton cannot be reached. Try again when it is back.' : error.text}</p>}
        <ol class="timeline" ref={log} aria-label="History" aria-live="polite">
          {byDay(detail.timeline).map(({ day, item }) => [
            day && <li key={`d${item.at}`} class="day" role="separator" aria-label={day} data-testid="day"><span>{day}</span></li>,
            <TimelineRow key={item.kind === 'message' ? item.id : `${item.kind}${item.seq}`} item={item} customer={c.displayName} read={item.kind === 'message' && item.id === detail.readMessageId} />,
          ])}
          {visitorTyping && isOpen && <li class="typing" role="status" data-testid="visitor-typing">{c.displayName} is typing…</li>}
        </ol>
        {!isOpen && <ClosedBanner timeline={detail.timeline} />}
        {holderId && replyingOver !== holderId && <HeldNotice name={holderName} since={c.heldSince} raced={racedBy === holderId} onReplyAnyway={() => setReplyingOver(holderId)} />}
        {holderId && replyingOver === holderId && <p class="reply-warning" role="note" data-testid="reply-warning">{holderName} holds this conversation: your reply goes to the customer as well, and the conversation stays theirs.</p>}
        {/* In a conversation another agent holds, a note for them may still be left. */}
        <Composer me={me} vars={variables(me, detail)} draft={draft} setDraft={setDraft} mode={notesOnly ? 'note' : mode} setMode={setMode} notesOnly={notesOnly} deskAnswers={deskAnswers} isOpen={isOpen} busy={busy} onSubmit={(text, m) => void send(text, m)} onAttach={(f) => void attach(f)} uploading={uploading} box={replyBox} />
      </div>
      <DetailsPanel api={api} detail={detail} />
    </section>
  );
}

/** A closed conversation says so, and when, over the (disabled) reply box. */
function ClosedBanner({ timeline }: { timeline: TimelineItem[] }) {
  const closed = [...timeline].reverse().find((i) => i.kind === 'note' && i.type === 'conversation.closed');
  return (
    <p class="closed-banner" role="status" data-testid="closed-banner">
      <strong>Conversation closed</strong>
      {closed && <span class="muted">{dayLabel(closed.at)}, {clock(closed.at)}.</span>}
      <span class="muted">It opens again if the customer writes.</span>
    </p>
  );
}

function TimelineRow({ item, customer, read }: { item: TimelineItem; customer: string; read: boolean }) {
  if (item.kind === 'note') return <li class="note"><span>{item.text}</span> <time>{clock(item.at)}</time></li>;
  if (item.kind === 'private') {
    return (
      <li class="private-note" data-testid="private-note">
        <span class="msg-author">Private note · {item.name}</span>
        <p>{item.text}</p>
        <time class="msg-time">{clock(item.at)}</time>
      </li>
    );
  }
  return (
    <li class={`msg from-${item.from}`}>
      <span class="msg-author">{item.from === 'customer' ? customer : item.from === 'bot' ? `Bot · ${item.name}` : item.name}</span>
      <MessageBody content={item.content} />
      <time class="msg-time">{clock(item.at)}</time>
      {read && <span class="msg-read" data-testid="read-receipt">Read</span>}
    </li>
  );
}

/** The canned answers' variables, from the conversation and the agent. */
function variables(me: Me, detail: Detail): Record<string, string> {
  const vars: Record<string, string> = { 'agent.name': me.agent.name, 'account.name': me.account.name, 'visitor.name': detail.conversation.displayName };
  for (const [k, v] of Object.entries(detail.visitor)) if (v) vars[`visitor.${k}`] = v;
  for (const [k, v] of Object.entries(detail.context)) if (typeof v === 'string' || typeof v === 'number') vars[`context.${k}`] = String(v);
  if (detail.conversation.team) vars['conversation.team'] = detail.conversation.team;
  return vars;
}

/** Why a call failed; `unreachable` ones stop being true when the connection comes back. */
interface Failure {
  text: string;
  unreachable: boolean;
}

function failure(err: unknown): Failure {
  return { text: err instanceof ApiError ? err.message : 'That did not work.', unreachable: err instanceof ApiError && err.status === 0 };
}

/** Text (its http(s) URLs as links), a file (a thumbnail or a chip), or a button press; buttons the bot offered are listed. */
export function MessageBody({ content }: { content: Content }) {
  return (
    <div class="msg-body">
      {content.type === 'postback' ? <span class="postback">Pressed “{content.postback?.title ?? content.text}”</span> : content.text && <p><LinkedText text={content.text} /></p>}
      {content.media && <FilePreview media={content.media} />}
      {content.buttons && content.buttons.length > 0 && (
        <ul class="offered" aria-label="Buttons offered">
          {content.buttons.map((b) => <li key={b.title}>{b.title}</li>)}
        </ul>
      )}
    </div>
  );
}
