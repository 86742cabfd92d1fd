import { describe, expect, it } from 'vitest';
import type { BusinessHours, Rule, RuleConditions, Service, Team } from '../../src/core/model.js';
import { conditionsHold, matchRule, type RuleInput, withinBusinessHours } from '../../src/core/rules.js';
import { resolveTeam } from '../../src/core/teams.js';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];
const OFFICE: BusinessHours = { timezone: 'Europe/Amsterdam', days: WEEKDAYS, from: '09:00', to: '17:00' };

function input(overrides: Partial<RuleInput> = {}): RuleInput {
  return { channelId: 'web', text: 'hello', visitor: {}, context: {}, now: new Date('2026-01-05T10:00:00Z'), ...overrides };
}

function rule(id: string, conditions?: RuleConditions, extra: Partial<Rule['trigger']> = {}): Rule {
  return { id, trigger: { event: 'message', ...(conditions ? { conditions } : {}), ...extra }, action: { type: 'bot', bot: 'bot-1' } };
}

function service(id: string, channels: string[], rules: Rule[]): Service {
  return { accountId: 'acc-1', id, channels, rules };
}

describe('withinBusinessHours', () => {
  it.each([
    ['opens at the from time (inclusive)', '2026-01-05T08:00:00Z', true],
    ['is closed a minute before', '2026-01-05T07:59:00Z', false],
    ['is open a minute before closing', '2026-01-05T15:59:00Z', true],
    ['closes at the to time (exclusive)', '2026-01-05T16:00:00Z', false],
    ['is closed on a Saturday', '2026-01-10T10:00:00Z', false],
    ['follows summer time (09:00 CEST is 07:00 UTC)', '2026-07-06T07:00:00Z', true],
  ])('Europe/Amsterdam, weekdays 09:00-17:00: %s', (_name, at, open) => {
    expect(withinBusinessHours(OFFICE, new Date(at))).toBe(open);
  });

  it("takes the day from the business's timezone, not UTC", () => {
    // 23:30 UTC on Monday is already Tuesday 00:30 in Amsterdam.
    const now = new Date('2026-01-05T23:30:00Z');
    const night = { timezone: 'Europe/Amsterdam', from: '00:00', to: '01:00' };
    expect(withinBusinessHours({ ...night, days: ['tue'] }, now)).toBe(true);
    expect(withinBusinessHours({ ...night, days: ['mon'] }, now)).toBe(false);
  });

  it('counts midnight as 00:00, not 24:00', () => {
    expect(withinBusinessHours({ timezone: 'Europe/Amsterdam', days: ['tue'], from: '00:00', to: '08:00' }, new Date('2026-01-05T23:00:00Z'))).toBe(true);
  });

  it('reads the clock in another timezone', () => {
    const newYork: BusinessHours = { ...OFFICE, timezone: 'America/New_York' };
    expect(withinBusinessHours(newYork, new Date('2026-01-05T14:00:00Z'))).toBe(true);
    expect(withinBusinessHours(newYork, new Date('2026-01-05T13:59:00Z'))).toBe(false);
  });
});

describe('conditionsHold', () => {
  it('holds without conditions', () => {
    expect(conditionsHold(undefined, input())).toBe(true);
    expect(conditionsHold({}, input())).toBe(true);
  });

  it('matches the text pattern case-insensitively anywhere in the text', () => {
    expect(conditionsHold({ textPattern: 'invoice' }, input({ text: 'Where is my INVOICE?' }))).toBe(true);
    expect(conditionsHold({ textPattern: '^invoice$' }, input({ text: 'my invoice' }))).toBe(false);
  });

  it('fails a text pattern when the message has no text', () => {
    expect(conditionsHold({ textPattern: '.*' }, input({ text: null }))).toBe(false);
  });

  it('compares visitor fields exactly', () => {
    expect(conditionsHold({ visitor: { lang: 'nl' } }, input({ visitor: { lang: 'nl' } }))).toBe(true);
    expect(conditionsHold({ visitor: { lang: 'nl' } }, input({ visitor: { lang: 'NL' } }))).toBe(false);
    expect(conditionsHold({ visitor: { lang: 'nl' } }, input({ visitor: { lang: 'nl-BE' } }))).toBe(false);
  });

  it('fails a visitor condition on a missing field', () => {
    expect(conditionsHold({ visitor: { lang: 'nl' } }, input())).toBe(false);
  });

  it('treats a /slashed/ value as a regular expression with its flags', () => {
    expect(conditionsHold({ visitor: { email: '/@acme\\.com$/' } }, input({ visitor: { email: 'jo@acme.com' } }))).toBe(true);
    expect(conditionsHold({ visitor: { email: '/@acme\\.com$/' } }, input({ visitor: { email: 'jo@ACME.com' } }))).toBe(false);
    expect(conditionsHold({ visitor: { email: '/@acme\\.com$/i' } }, input({ visitor: { email: 'jo@ACME.com' } }))).toBe(true);
  });

  it('requires every visitor field', () => {
    const cond = { visitor: { lang: 'nl', tier: 'gold' } };
    expect(conditionsHold(cond, input({ visitor: { lang: 'nl', tier: 'gold' } }))).toBe(true);
    expect(conditionsHold(cond, input({ visitor: { lang: 'nl', tier: 'silver' } }))).toBe(false);
  });

  it('compares context values as text, so numbers and booleans match their spelling', () => {
    expect(conditionsHold({ context: { code: '42' } }, input({ context: { code: 42 } }))).toBe(true);
    expect(conditionsHold({ context: { vip: 'true' } }, input({ context: { vip: true } }))).toBe(true);
    expect(conditionsHold({ context: { code: '/^4\\d$/' } }, input({ context: { code: 47 } }))).toBe(true);
  });

  it('fails a context condition on a missing or null value', () => {
    expect(conditionsHold({ context: { topic: 'billing' } }, input())).toBe(false);
    expect(conditionsHold({ context: { topic: 'null' } }, input({ context: { topic: null } }))).toBe(false);
  });

  it('holds business hours only while open', () => {
    expect(conditionsHold({ businessHours: OFFICE }, input({ now: new Date('2026-01-05T10:00:00Z') }))).toBe(true);
    expect(conditionsHold({ businessHours: OFFICE }, input({ now: new Date('2026-01-05T18:00:00Z') }))).toBe(false);
  });

  it('holds outsideHours only while closed', () => {
    const cond = { businessHours: OFFICE, outsideHours: true };
    expect(conditionsHold(cond, input({ now: new Date('2026-01-05T10:00:00Z') }))).toBe(false);
    expect(conditionsHold(cond, input({ now: new Date('2026-01-05T18:00:00Z') }))).toBe(true);
    expect(conditionsHold(cond, input({ now: new Date('2026-01-10T10:00:00Z') }))).toBe(true);
  });

  it('ignores outsideHours without business hours', () => {
    expect(conditionsHold({ outsideHours: true }, input())).toBe(true);
  });

  it('requires every kind of condition at once', () => {
    const cond: RuleConditions = { textPattern: 'invoice', visitor: { lang: 'nl' }, context: { topic: 'billing' }, businessHours: OFFICE };
    const all = input({ text: 'invoice', visitor: { lang: 'nl' }, context: { topic: 'billing' } });
    expect(conditionsHold(cond, all)).toBe(true);
    expect(conditionsHold(cond, { ...all, text: 'hi' })).toBe(false);
    expect(conditionsHold(cond, { ...all, visitor: {} })).toBe(false);
    expect(conditionsHold(cond, { ...all, context: {} })).toBe(false);
    expect(conditionsHold(cond, { ...all, now: new Date('2026-01-10T10:00:00Z') })).toBe(false);
  });
});

describe('matchRule', () => {
  it('returns the first matching rule of the first service mapped to the channel', () => {
    const services = [
      service('other-channel', ['whatsapp'], [rule('wa')]),
      service('web-1', ['web'], [rule('needs-invoice', { textPattern: 'invoice' }), rule('catch-all')]),
      service('web-2', ['web'], [rule('later-service')]),
    ];
    expect(matchRule(services, 'message', input({ text: 'hello' }))).toEqual({ serviceId: 'web-1', rule: services[1]!.rules[1] });
    expect(matchRule(services, 'message', input({ text: 'my invoice' }))?.rule.id).toBe('needs-invoice');
  });

  it('never considers a service that is not mapped to the channel', () => {
    const services = [service('wa', ['whatsapp'], [rule('wa')])];
    expect(matchRule(services, 'message', input())).toBeNull();
  });

  it('falls through to the next service when no rule of the first holds', () => {
    const services = [service('s1', ['web'], [rule('nl-only', { visitor: { lang: 'nl' } })]), service('s2', ['web'], [rule('fallback')])];
    expect(matchRule(services, 'message', input())).toMatchObject({ serviceId: 's2', rule: { id: 'fallback' } });
  });

  it('only considers rules triggered by the event asked for', () => {
    const handover: Rule = { id: 'on-handover', trigger: { event: 'handover', conditions: { context: { topic: 'billing' } } }, action: { type: 'desk', desk: 'desk-1', team: 'billing' } };
    const services = [service('s', ['web'], [handover, rule('on-message')])];
    expect(matchRule(services, 'message', input({ context: { topic: 'billing' } }))?.rule.id).toBe('on-message');
    expect(matchRule(services, 'handover', input({ context: { topic: 'billing' } }))?.rule.id).toBe('on-handover');
    expect(matchRule(services, 'handover', input({ context: { topic: 'sales' } }))).toBeNull();
  });

  it("honours a rule's own channel list within a service", () => {
    const services = [service('s', ['web', 'whatsapp'], [rule('wa-only', undefined, { channels: ['whatsapp'] }), rule('any')])];
    expect(matchRule(services, 'message', input({ channelId: 'web' }))?.rule.id).toBe('any');
    expect(matchRule(services, 'message', input({ channelId: 'whatsapp' }))?.rule.id).toBe('wa-only');
  });

  it('picks the business-hours rule by day and the out-of-hours rule by night', () => {
    const services = [service('s', ['web'], [rule('office', { businessHours: OFFICE }), rule('night', { businessHours: OFFICE, outsideHours: true })])];
    expect(matchRule(services, 'message', input({ now: new Date('2026-01-05T10:00:00Z') }))?.rule.id).toBe('office');
    expect(matchRule(services, 'message', input({ now: new Date('2026-01-05T22:00:00Z') }))?.rule.id).toBe('night');
  });

  it('returns null when nothing matches or nothing is configured', () => {
    expect(matchRule([], 'message', input())).toBeNull();
    expect(matchRule([service('s', ['web'], [])], 'message', input())).toBeNull();
  });
});

describe('resolveTeam', () => {
  const teams: Team[] = [
    { id: 'billing', values: ['invoice', 'billing'] },
    { id: 'sales', values: ['buy', '42'] },
    { id: 'also-billing', values: ['billing'] },
  ];

  it('picks the team that lists one of the context values', () => {
    expect(resolveTeam({ topic: 'buy' }, teams)).toBe('sales');
  });

  it('picks the first team in configuration order when several match', () => {
    expect(resolveTeam({ topic: 'billing' }, teams)).toBe('billing');
  });

  it('looks at every context value whatever its key', () => {
    expect(resolveTeam({ lang: 'nl', reason: 'invoice' }, teams)).toBe('billing');
  });

  it('compares exactly: no case folding, no substrings', () => {
    expect(resolveTeam({ topic: 'Billing' }, teams)).toBeNull();
    expect(resolveTeam({ topic: 'billing-nl' }, teams)).toBeNull();
  });

  it('matches numbers by their spelling and ignores other kinds of value', () => {
    expect(resolveTeam({ code: 42 }, teams)).toBe('sales');
    expect(resolveTeam({ flag: true, nested: { topic: 'billing' }, list: ['billing'], none: null }, teams)).toBeNull();
  });

  it('falls back to the general queue (null) without a match or without values', () => {
    expect(resolveTeam({ topic: 'weather' }, teams)).toBeNull();
    expect(resolveTeam({}, teams)).toBeNull();
    expect(resolveTeam({ topic: 'billing' }, [])).toBeNull();
  });
});

describe('visitor fields the visitor typed themself', () => {
  const vip: RuleConditions = { visitor: { tier: 'gold' } };

  it('never satisfy a visitor condition, unless the rule trusts that field', () => {
    expect(conditionsHold(vip, input({ visitor: { tier: 'gold' } }))).toBe(true);
    expect(conditionsHold(vip, input({ visitor: { tier: 'gold' }, unverified: ['tier'] }))).toBe(false);
    expect(conditionsHold({ ...vip, trustVisitorFields: ['tier'] }, input({ visitor: { tier: 'gold' }, unverified: ['tier'] }))).toBe(true);
    // Another field being unverified changes nothing for this one.
    expect(conditionsHold(vip, input({ visitor: { tier: 'gold', name: 'Sam' }, unverified: ['name'] }))).toBe(true);
  });
});
