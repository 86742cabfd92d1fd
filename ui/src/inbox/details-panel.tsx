import { useEffect, useState } from 'preact/hooks';
import { ago } from '../shared/format.js';
import type { Card, Detail, InboxApi } from './inbox-api.js';
import { go } from './use-hash-route.js';

function Pairs({ data, empty, unverified = [] }: { data: Record<string, unknown>; empty: string; unverified?: readonly string[] }) {
  const entries = Object.entries(data);
  if (entries.length === 0) return <p class="muted small">{empty}</p>;
  return (
    <dl class="pairs">
      {entries.map(([k, v]) => (
        <div key={k} data-unverified={unverified.includes(k) ? '' : undefined}>
          <dt>{k}</dt>
          <dd>{typeof v === 'string' ? v : JSON.stringify(v)}{unverified.includes(k) && <span class="unverified muted small" title="The visitor's browser sent this; nobody vouches for it."> (unverified: the visitor typed it)</span>}</dd>
        </div>
      ))}
    </dl>
  );
}

/** What the bot passed on (the handover note and context), what the channel knows of the visitor, and the visitor's other conversations. */
export function DetailsPanel({ api, detail }: { api: InboxApi; detail: Detail }) {
  const h = detail.handover;
  const c = detail.conversation;
  return (
    <aside class="details" aria-label="Details">
      {h?.note && (
        <section class="handover-note">
          <h3>Handover note</h3>
          <p>{h.note}</p>
        </section>
      )}
      <section>
        <h3>Context</h3>
        <Pairs data={detail.context} empty="The bot passed no context." />
      </section>
      <section>
        <h3>Channel variables</h3>
        <Pairs data={detail.visitor} empty="None." unverified={detail.unverifiedVisitor ?? []} />
      </section>
      <section>
        <h3>Conversation</h3>
        <dl class="pairs">
          <div><dt>customer</dt><dd>{c.customer}</dd></div>
          <div><dt>control</dt><dd>{c.controller} (version {c.controlVersion})</dd></div>
          {detail.bot && <div><dt>bot</dt><dd>{detail.bot}</dd></div>}
          {detail.desk && <div><dt>desk</dt><dd>{detail.desk}</dd></div>}
          <div><dt>categories</dt><dd>{c.categories.join(', ') || 'none'}</dd></div>
          {detail.position && <div><dt>bot position</dt><dd>{detail.position.flow} / {detail.position.step}</dd></div>}
          <div><dt>id</dt><dd class="mono">{c.id}</dd></div>
        </dl>
      </section>
      <PastConversations api={api} id={c.id} />
    </aside>
  );
}

/** The same customer's other conversations in this account (other channels, other addresses of the business), most recent first. */
function PastConversations({ api, id }: { api: InboxApi; id: string }) {
  const [past, setPast] = useState<(Card & { sameEmail?: boolean })[] | null>(null);
  useEffect(() => {
    let current = true;
    api.past(id).then((r) => current && setPast(r.items), () => current && setPast([]));
    return () => {
      current = false;
    };
  }, [api, id]);
  return (
    <section aria-label="Past conversations">
      <h3>Past conversations</h3>
      {past === null ? <p class="muted small">Loading…</p> : past.length === 0 ? <p class="muted small" data-testid="no-past">No other conversation with this customer.</p> : (
        <ul class="past-list">
          {past.map((p) => (
            <li key={p.id}>
              <button type="button" class="past" data-past={p.id} onClick={() => go({ page: 'conversations', id: p.id })}>
                <span class="past-top"><span>{p.channelId}</span> <span class="muted">{p.status === 'closed' ? 'closed' : 'open'} · {ago(p.updatedAt)}</span></span>
                {p.sameEmail && <span class="past-why muted small" data-unverified>Same email, as the visitor typed it</span>}
                {p.lastMessage && <span class="past-preview">{p.lastMessage.text}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
