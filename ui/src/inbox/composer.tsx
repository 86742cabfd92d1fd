import type { RefObject } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type CannedAnswer, CannedAnswers, fillVariables, formatAnswers, matching, parseAnswers, slashQuery } from './canned-answers.js';
import type { Me } from './inbox-api.js';
import { AttachButton } from '../shared/attach-button.js';
import { DEFAULT_LIMITS } from '../shared/upload.js';

export type ComposerMode = 'reply' | 'note';

interface Props {
  me: Me;
  /** Values for the canned answers' variables: `visitor.name`, `agent.name`, ... */
  vars: Readonly<Record<string, string>>;
  draft: string;
  setDraft: (text: string) => void;
  mode: ComposerMode;
  setMode: (mode: ComposerMode) => void;
  /** Another agent holds the conversation: notes only, until Reply anyway. */
  notesOnly: boolean;
  /** Whether a reply may go to the customer now (the desk answers an open conversation). */
  deskAnswers: boolean;
  isOpen: boolean;
  busy: boolean;
  onSubmit: (text: string, mode: ComposerMode) => void;
  /** A file the agent chose to send the customer (replies only; a note carries no file). */
  onAttach: (file: File) => void;
  /** The file on its way, and how much of it has gone. */
  uploading: { name: string; done: number } | null;
  box: RefObject<HTMLTextAreaElement | null>;
}

/**
 * The reply box, or the private-note box: a note stays with the agents (never the customer, never
 * the bot), so it may be written whoever answers. Typing `/` opens the agent's canned answers,
 * filtered as they type; Enter (or a click) inserts one with its variables filled in.
 */
export function Composer({ me, vars, draft, setDraft, mode, setMode, notesOnly, deskAnswers, isOpen, busy, onSubmit, onAttach, uploading, box }: Props) {
  const store = useMemo(() => new CannedAnswers(me), [me.account.id, me.agent.id]);
  const [answers, setAnswers] = useState(() => store.read());
  const [editing, setEditing] = useState(false);
  const [caret, setCaret] = useState(draft.length);
  const [active, setActive] = useState(0);
  // The `/` the agent closed with Escape: its menu stays closed until they type another.
  const [dismissed, setDismissed] = useState<number | null>(null);
  const pendingCaret = useRef<number | null>(null);
  useEffect(() => setAnswers(store.read()), [store]);
  useEffect(() => {
    if (pendingCaret.current === null || !box.current) return;
    box.current.setSelectionRange(pendingCaret.current, pendingCaret.current);
    pendingCaret.current = null;
  }, [draft]);

  const note = mode === 'note';
  const disabled = note ? false : !deskAnswers;
  const slash = disabled ? null : slashQuery(draft, caret);
  const open = slash !== null && slash.start !== dismissed;
  const found = open ? matching(answers, slash.query) : [];
  const current = Math.min(active, Math.max(0, found.length - 1));

  const insert = (a: CannedAnswer) => {
    if (!slash) return;
    const text = fillVariables(a.text, vars);
    pendingCaret.current = slash.start + text.length;
    setCaret(slash.start + text.length);
    setDraft(draft.slice(0, slash.start) + text + draft.slice(caret));
    box.current?.focus();
  };
  const track = (el: HTMLTextAreaElement) => setCaret(el.selectionStart ?? el.value.length);

  return (
    <div class={`composer-wrap${note ? ' note-mode' : ''}`}>
      <div class="composer-modes" role="group" aria-label="Write">
        {!notesOnly && <button type="button" class={`mode${note ? '' : ' on'}`} aria-pressed={!note} onClick={() => setMode('reply')}>Reply</button>}
        <button type="button" class={`mode${note ? ' on' : ''}`} aria-pressed={note} onClick={() => setMode('note')}>Private note</button>
        <span class="muted small">{note ? 'For agents only: not the customer, not the bot.' : 'Type / for canned answers.'}</span>
        <button type="button" class="btn btn-ghost small" aria-expanded={editing} onClick={() => setEditing(!editing)}>Canned answers…</button>
      </div>
      {editing && <CannedEditor answers={answers} onCancel={() => setEditing(false)} onSave={(list) => { store.write(list); setAnswers(list); setEditing(false); }} />}
      {open && (
        <ul class="canned-menu" id="canned-menu" role="listbox" aria-label="Canned answers">
          {found.length === 0 && <li class="muted small">No canned answer matches “/{slash.query}”.</li>}
          {found.map((a, i) => (
            <li key={a.shortcut} id={`canned-${i}`} role="option" aria-selected={i === current} class={i === current ? 'on' : ''} onMouseDown={(e) => { e.preventDefault(); insert(a); }}>
              <strong>/{a.shortcut}</strong> <span>{fillVariables(a.text, vars)}</span>
            </li>
          ))}
        </ul>
      )}
      <form class="composer" onSubmit={(e) => { e.preventDefault(); onSubmit(draft, mode); }}>
        <textarea
          ref={box}
          data-shortcut="reply"
          aria-label={note ? 'Private note' : 'Reply'}
          aria-controls={open ? 'canned-menu' : undefined}
          aria-autocomplete="list"
          aria-activedescendant={open && found.length > 0 ? `canned-${current}` : undefined}
          placeholder={note ? 'Write a note for the agents… (Enter adds it)' : !isOpen ? 'This conversation is closed.' : deskAnswers ? 'Write a reply… (Enter sends, Shift+Enter for a new line, / for canned answers)' : 'The bot is answering. Take over to reply.'}
          value={draft}
          disabled={disabled}
          rows={2}
          onInput={(e) => {
            const el = e.currentTarget;
            setDraft(el.value);
            track(el);
            setActive(0);
            // Escape holds for the `/word` it closed; once that word is gone, a new `/` opens the list again.
            if (slashQuery(el.value, el.selectionStart ?? el.value.length)?.start !== dismissed) setDismissed(null);
          }}
          onClick={(e) => track(e.currentTarget)}
          onKeyUp={(e) => { if (e.key.startsWith('Arrow') && !open) track(e.currentTarget); }}
          onKeyDown={(e) => {
            if (open && found.length > 0 && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
              e.preventDefault();
              setActive((current + (e.key === 'ArrowDown' ? 1 : found.length - 1)) % found.length);
            } else if (open && e.key === 'Escape') {
              e.preventDefault();
              setDismissed(slash.start);
            } else if (open && found.length > 0 && (e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey) {
              e.preventDefault();
              insert(found[current]!);
            } else if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              onSubmit(draft, mode);
            }
          }}
        />
        {!note && <AttachButton class="btn btn-ghost attach" limits={me.files ?? DEFAULT_LIMITS} disabled={disabled || busy || uploading !== null} onFile={onAttach} />}
        <button class="btn btn-primary" type="submit" disabled={disabled || busy || !draft.trim()}>{note ? 'Add note' : 'Send'}</button>
      </form>
      {uploading && <p class="uploading muted small" role="status" data-testid="uploading">Uploading {uploading.name}… {Math.round(uploading.done * 100)}%</p>}
    </div>
  );
}

/** The agent's list, edited as text: one answer a line, `/shortcut text`. */
function CannedEditor({ answers, onSave, onCancel }: { answers: CannedAnswer[]; onSave: (list: CannedAnswer[]) => void; onCancel: () => void }) {
  const [text, setText] = useState(() => formatAnswers(answers));
  return (
    <form class="canned-editor" onSubmit={(e) => { e.preventDefault(); onSave(parseAnswers(text)); }}>
      <label>
        Your canned answers, one a line: <code>/shortcut text</code>. Variables: <code>{'{{visitor.name}}'}</code>, <code>{'{{agent.name}}'}</code>, <code>{'{{account.name}}'}</code>, <code>{'{{context.topic}}'}</code>.
        <textarea value={text} rows={5} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <div class="inline-form-buttons">
        <button class="btn btn-primary" type="submit">Save</button>
        <button class="btn btn-ghost" type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
