import type { Conversation } from './conversation.js';

// What a customer's message brings besides its content: context values and visitor fields.

/** The entries of `incoming` whose value differs from the current context; null when none does. */
export function changedContext(current: Record<string, unknown>, incoming: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (!incoming) return null;
  const changed = Object.fromEntries(Object.entries(incoming).filter(([k, v]) => JSON.stringify(current[k]) !== JSON.stringify(v)));
  return Object.keys(changed).length > 0 ? changed : null;
}

/** The visitor fields a message brings; those the visitor supplied themself are marked unverified, those a channel's server vouches for no longer are. */
export function withVisitor(conv: Conversation, fields: Record<string, string>, unverified: boolean): Conversation {
  const marked = new Set(conv.unverifiedVisitor ?? []);
  for (const k of Object.keys(fields)) {
    if (unverified) marked.add(k);
    else marked.delete(k);
  }
  const next: Conversation = { ...conv, visitor: { ...conv.visitor, ...fields } };
  if (marked.size > 0) next.unverifiedVisitor = [...marked].sort();
  else delete next.unverifiedVisitor;
  return next;
}

/** JSON with keys in order, so two equal contents compare equal however they were built. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
