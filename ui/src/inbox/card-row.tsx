import { elapsed } from '../shared/format.js';
import { cardState } from './card-state.js';
import type { AgentRow, Card, FoundCard } from './inbox-api.js';
import { awaitingReply } from './queues.js';

/** Who wrote the last message, as a prefix of its preview ("" for the customer: the card is theirs). */
function authorOf(m: NonNullable<Card['lastMessage']>, meId: string, agents: AgentRow[]): string {
  if (m.from === 'customer') return '';
  if (m.from === 'agent') return m.authorId === meId ? 'You' : agents.find((a) => a.id === m.authorId)?.name ?? 'Agent';
  return m.from === 'bot' ? 'Bot' : 'Baton';
}

const FIELD_LABEL: Record<string, string> = { message: 'Message', customer: 'Customer id', name: 'Name', email: 'Email' };

/** One conversation in a list: who, the last message (or, in search results, what matched), its state and how long it waits. */
export function CardRow({ card, meId, agents, unread, selected, onSelect, match }: { card: Card; meId: string; agents: AgentRow[]; unread: number; selected: boolean; onSelect: (id: string) => void; match?: FoundCard['match'] }) {
  const state = cardState(card, meId);
  const awaiting = awaitingReply(card);
  const since = card.waitingSince ?? (awaiting ? card.lastMessage!.at : null) ?? card.lastCustomerMessageAt ?? card.updatedAt;
  const last = card.lastMessage;
  const author = last ? authorOf(last, meId, agents) : '';
  return (
    <li>
      <button type="button" class={`card ${selected ? 'selected' : ''} ${awaiting ? 'awaiting' : ''}`} aria-current={selected ? 'true' : undefined} onClick={() => onSelect(card.id)} data-conversation={card.id}>
        <span class="card-top">
          <span class="card-name">{card.displayName}</span>
          {unread > 0 && <span class="unread" data-testid="unread" title={`${unread} unread from the customer`}>{unread}<span class="sr-only"> unread</span></span>}
          <span class={`badge tone-${state.tone}`}>{state.label}</span>
        </span>
        {match?.snippet && <span class="card-preview card-match" data-testid="match"><span class="preview-author">{FIELD_LABEL[match.field ?? ''] ?? match.field}: </span>{match.snippet}</span>}
        {!match?.snippet && last && <span class={`card-preview ${unread > 0 ? 'is-unread' : ''}`}>{author && <span class="preview-author">{author}: </span>}{last.text}</span>}
        <span class="card-meta">
          <span>{card.channelId}</span>
          {card.status === 'closed' && <span class="chip chip-quiet">closed</span>}
          {card.team && <span class="chip">{card.team}</span>}
          {card.categories.map((c) => <span key={c} class="chip chip-quiet">{c}</span>)}
          {awaiting && !card.waitingSince && <span class="awaiting-label">Waiting for reply</span>}
          <span class="card-time" title={card.waitingSince ? 'Waiting for an agent' : awaiting ? 'Since the customer wrote' : 'Last activity'}>{card.waitingSince ? `waiting ${elapsed(since)}` : elapsed(since)}</span>
        </span>
        {card.agentSession?.note && <span class="card-note">{card.agentSession.note}</span>}
      </button>
    </li>
  );
}
