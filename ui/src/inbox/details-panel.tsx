import type { Detail } from './inbox-api.js';

function Pairs({ data, empty }: { data: Record<string, unknown>; empty: string }) {
  const entries = Object.entries(data);
  if (entries.length === 0) return <p class="muted small">{empty}</p>;
  return (
    <dl class="pairs">
      {entries.map(([k, v]) => (
        <div key={k}><dt>{k}</dt><dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd></div>
      ))}
    </dl>
  );
}

/** What the bot passed on (the handover note and context) and what the channel knows of the visitor. */
export function DetailsPanel({ detail }: { detail: Detail }) {
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
        <Pairs data={detail.visitor} empty="None." />
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
    </aside>
  );
}
