import type { Card } from './inbox-api.js';

export type Tone = 'bot' | 'waiting' | 'mine' | 'busy' | 'muted';

/** One short label and colour for where a conversation stands, from the agent's point of view. */
export function cardState(c: Card, meId: string): { label: string; tone: Tone } {
  if (c.status === 'closed') return { label: 'Closed', tone: 'muted' };
  if (c.controller === 'bot') return { label: 'With bot', tone: 'bot' };
  const s = c.agentSession;
  if (!s) return { label: 'With desk', tone: 'muted' };
  if (s.status === 'queued') return { label: 'Waiting', tone: 'waiting' };
  if (s.status === 'deferred') return { label: 'Deferred', tone: 'muted' };
  if (s.agentId === meId) return { label: 'Yours', tone: 'mine' };
  return { label: s.agentName ? `With ${s.agentName}` : 'Assigned', tone: 'busy' };
}
