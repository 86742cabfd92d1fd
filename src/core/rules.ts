import type { BusinessHours, Rule, RuleConditions, Service } from './model.js';

export interface RuleInput {
  channelId: string;
  text: string | null;
  visitor: Record<string, string>;
  /** Visitor fields the visitor supplied themself (web chat), unverified. */
  unverified?: readonly string[];
  context: Record<string, unknown>;
  now: Date;
}

export interface RuleMatch {
  serviceId: string;
  rule: Rule;
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function localTime(now: Date, timezone: string): { day: string; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const day = get('weekday').toLowerCase().slice(0, 3);
  return { day, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

export function withinBusinessHours(hours: BusinessHours, now: Date): boolean {
  const { day, minutes } = localTime(now, hours.timezone);
  if (!DAYS.includes(day) || !hours.days.includes(day)) return false;
  return minutes >= toMinutes(hours.from) && minutes < toMinutes(hours.to);
}

/** `/re/` is a regular expression, anything else an exact value. */
function valueMatches(expected: string, actual: unknown): boolean {
  if (actual === undefined || actual === null) return false;
  const text = String(actual);
  const re = /^\/(.*)\/([a-z]*)$/.exec(expected);
  if (re) return new RegExp(re[1]!, re[2]).test(text);
  return text === expected;
}

export function conditionsHold(cond: RuleConditions | undefined, input: RuleInput): boolean {
  if (!cond) return true;
  if (cond.textPattern !== undefined && !(input.text !== null && new RegExp(cond.textPattern, 'i').test(input.text))) return false;
  for (const [field, expected] of Object.entries(cond.visitor ?? {})) {
    if (input.unverified?.includes(field) && !cond.trustVisitorFields?.includes(field)) return false;
    if (!valueMatches(expected, input.visitor[field])) return false;
  }
  for (const [key, expected] of Object.entries(cond.context ?? {})) {
    if (!valueMatches(expected, input.context[key])) return false;
  }
  if (cond.businessHours) {
    const open = withinBusinessHours(cond.businessHours, input.now);
    if (open === Boolean(cond.outsideHours)) return false;
  }
  return true;
}

/**
 * The first rule, in service then rule order, whose trigger is `event` on this channel and whose
 * conditions hold. Services not mapped to the channel are never considered.
 */
export function matchRule(services: readonly Service[], event: 'message' | 'handover', input: RuleInput): RuleMatch | null {
  for (const service of services) {
    if (!service.channels.includes(input.channelId)) continue;
    for (const rule of service.rules) {
      if (rule.trigger.event !== event) continue;
      if (rule.trigger.channels && !rule.trigger.channels.includes(input.channelId)) continue;
      if (conditionsHold(rule.trigger.conditions, input)) return { serviceId: service.id, rule };
    }
  }
  return null;
}
