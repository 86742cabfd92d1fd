import { describe, expect, it } from 'vitest';
import { parseCookies, sessionCookie } from '../../src/inbox/cookies.js';
import { timeline } from '../../src/inbox/inbox-views.js';
import { visitorIdOf } from '../../src/dialects/webchat/visitor-identity.js';
import { aMessage, anAgent, anEvent, at } from '../helpers/builders-store.js';

describe('the inbox timeline', () => {
  it('puts messages and control notes in time order, names agents, and leaves out plain events', () => {
    const items = timeline(
      [aMessage({ id: 'm1', createdAt: at(1) }), aMessage({ id: 'm2', author: { kind: 'agent', id: 'alice' }, content: { type: 'text', text: 'hi' }, createdAt: at(3) })],
      [anEvent(1, { type: 'message.received', at: at(1) }), anEvent(2, { type: 'takeover', at: at(2), data: { agentId: 'alice' } }), anEvent(3, { type: 'handback', at: at(4), data: { reason: 'handback' } }), anEvent(4, { type: 'position.requested', at: at(4), data: { flow: 'survey', step: 'rating' } })],
      [anAgent({ id: 'alice', name: 'Alice' })],
    );
    expect(items.map((i) => (i.kind === 'message' ? `${i.from}:${i.name}` : i.text))).toEqual([
      'customer:visitor-1',
      'Alice took over from the bot',
      'agent:Alice',
      'Handed back to the bot',
      'Bot asked to continue at survey / rating',
    ]);
  });

  it('shows private notes apart, after the message of the same instant, with their author; an erased one says so', () => {
    const items = timeline(
      [aMessage({ id: 'm1', createdAt: at(1) })],
      [anEvent(2, { type: 'note.added', at: at(1), data: { agentId: 'alice', text: 'Reseller' } }), anEvent(3, { type: 'note.added', at: at(2), data: { agentId: 'bob', text: null } })],
      [anAgent({ id: 'alice', name: 'Alice' })],
    );
    expect(items.map((i) => i.kind)).toEqual(['message', 'private', 'private']);
    expect(items.slice(1)).toMatchObject([{ name: 'Alice', agentId: 'alice', text: 'Reseller' }, { name: 'bob', text: '(erased)' }]);
  });
});

describe('inbox cookies', () => {
  it('reads a cookie header and writes an httpOnly, SameSite=Strict session cookie', () => {
    expect(parseCookies('a=1; baton_session=abc%2Fdef; a=2')).toEqual(new Map([['a', '1'], ['baton_session', 'abc/def']]));
    expect(parseCookies(undefined).size).toBe(0);
    expect(sessionCookie('s', 'v', { path: '/inbox', maxAgeSeconds: 60, secure: true })).toBe('s=v; Path=/inbox; Max-Age=60; HttpOnly; SameSite=Strict; Secure');
  });
});

describe('web chat visitor identity', () => {
  it('derives a stable address from the token that does not reveal it, and refuses malformed tokens', () => {
    const token = 'A'.repeat(40);
    expect(visitorIdOf(token)).toBe(visitorIdOf(token));
    expect(visitorIdOf(token)).toMatch(/^visitor-[A-Za-z0-9_-]{22}$/);
    expect(visitorIdOf(token)).not.toContain(token.slice(0, 10));
    for (const bad of [undefined, 'short', 'x'.repeat(129), `${'a'.repeat(40)}!`]) expect(() => visitorIdOf(bad)).toThrow(/visitor token/);
  });
});
