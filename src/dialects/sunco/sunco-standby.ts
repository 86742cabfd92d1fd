import type { Component } from '../../core/model.js';

/** Events a standby integration may be spared: the conversation's traffic, not its switchboard. */
export const STANDBY_EVENTS: readonly string[] = Object.freeze(['conversation:message', 'conversation:postback']);
const STANDBY_FILTERED = new Set(STANDBY_EVENTS);

/**
 * Whether a component that does not hold the conversation gets this webhook. Sunshine
 * Conversations' `deliverStandbyEvents` is all or nothing; Baton also takes a list of the event
 * types a standby integration wants (`[conversation:message]` without postbacks, say).
 */
export function standbyWants(component: Component, type: string): boolean {
  if (!STANDBY_FILTERED.has(type)) return true;
  const option = component.options.deliverStandbyEvents;
  if (Array.isArray(option)) return option.includes(type);
  return option === true;
}
