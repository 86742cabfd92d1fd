import { describe, expect, it } from 'vitest';
import { botInFront } from '../../src/core/chat-availability.js';
import type { Rule, Service } from '../../src/core/model.js';

const MONDAY_NOON_UTC = new Date('2026-01-05T12:00:00Z');
const SUNDAY = new Date('2026-01-04T12:00:00Z');
const OFFICE = { timezone: 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' };

function svc(rules: Rule[], channels = ['web']): Service {
  return { accountId: 'a', id: 's', channels, rules };
}
const on = { emergency: false };

describe('botInFront: who answers a new web chat', () => {
  it('is true for a bot or bot+desk rule and false for a desk rule', () => {
    expect(botInFront([svc([{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot', bot: 'b' } }])], on, 'web', MONDAY_NOON_UTC)).toBe(true);
    expect(botInFront([svc([{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: 'b', desk: 'd' } }])], on, 'web', MONDAY_NOON_UTC)).toBe(true);
    expect(botInFront([svc([{ id: 'r', trigger: { event: 'message' }, action: { type: 'desk', desk: 'd' } }])], on, 'web', MONDAY_NOON_UTC)).toBe(false);
  });

  it('is false on a channel no service maps, and when the emergency switch is on', () => {
    const services = [svc([{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot', bot: 'b' } }])];
    expect(botInFront(services, on, 'other', MONDAY_NOON_UTC)).toBe(false);
    expect(botInFront(services, { emergency: true }, 'web', MONDAY_NOON_UTC)).toBe(false);
  });

  it('follows business hours: a bot only out of hours is in front on Sunday, not on Monday noon', () => {
    const services = [svc([
      { id: 'night', trigger: { event: 'message', conditions: { businessHours: OFFICE, outsideHours: true } }, action: { type: 'bot', bot: 'b' } },
      { id: 'day', trigger: { event: 'message' }, action: { type: 'desk', desk: 'd' } },
    ])];
    expect(botInFront(services, on, 'web', SUNDAY)).toBe(true);
    expect(botInFront(services, on, 'web', MONDAY_NOON_UTC)).toBe(false);
  });

  it('ignores rules that need the visitor to say something first', () => {
    const services = [svc([
      { id: 'sales', trigger: { event: 'message', conditions: { textPattern: 'buy' } }, action: { type: 'bot', bot: 'b' } },
      { id: 'rest', trigger: { event: 'message' }, action: { type: 'desk', desk: 'd' } },
    ])];
    expect(botInFront(services, on, 'web', MONDAY_NOON_UTC)).toBe(false);
  });
});
