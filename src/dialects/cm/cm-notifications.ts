import type { Conversation } from '../../core/conversation.js';
import type { ConversationEvent } from '../../core/events.js';
import type { Component } from '../../core/model.js';

/**
 * What a `cm` component is told besides customer messages. Seed 002 says "the other connected
 * components are notified of the mutation" and that the bot receives a position request, but gives
 * no shape; Baton sends the MO envelope with `message.text` null and the news in `message.custom`,
 * tagged with a `$type` the way the control API tags mutations. A `$type` in `message.custom`
 * therefore means "notification, not a customer message".
 *
 * @example { "$type": "mutation", "Event": "takeover", "By": "CustomerContact",
 *            "Mutations": [{ "$type": "disableComponent", "ComponentId": "CmBot" }], "Context": null, "Team": null }
 */
export type CmNotification =
  | { $type: 'mutation'; Event: 'handover' | 'takeover' | 'handback' | 'mutation'; By: string | null; Mutations: CmMutation[]; Context: Record<string, unknown> | null; Team: string | null }
  | { $type: 'positionRequest'; By: string | null; FlowId: string; StepId: string }
  | { $type: 'reset'; By: string | null }
  | { $type: 'messageSent'; By: string | null; AuthorKind: string; AgentId: string | null };

export interface CmMutation {
  $type: 'enableComponent' | 'disableComponent';
  ComponentId: string;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function contextOf(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0 ? (v as Record<string, unknown>) : null;
}

function mutation(componentId: string, enabled: boolean): CmMutation {
  return { $type: enabled ? 'enableComponent' : 'disableComponent', ComponentId: componentId };
}

/**
 * The notification an event makes for `target`, or null when it has none for it. Nobody is told of
 * their own call. A mutation of the bot already shows as the handover, takeover or handback it
 * caused, so `control.mutated` carries only the other components' mutations (none: no notification).
 */
export function cmNotification(event: ConversationEvent, conv: Conversation, target: Component): CmNotification | null {
  const d = event.data;
  const by = str(d.by);
  if (by !== null && by === target.id) return null;
  switch (event.type) {
    case 'handover':
    case 'takeover':
      return { $type: 'mutation', Event: event.type, By: by, Mutations: conv.bot ? [mutation(conv.bot, false)] : [], Context: contextOf(d.context), Team: str(d.team) };
    case 'handback':
      return { $type: 'mutation', Event: 'handback', By: by, Mutations: [mutation(str(d.bot) ?? conv.bot ?? '', true)], Context: null, Team: null };
    case 'control.mutated': {
      const raw = Array.isArray(d.mutations) ? (d.mutations as { componentId: string; enabled: boolean }[]) : [];
      const others = raw.filter((m) => m.componentId !== conv.bot).map((m) => mutation(m.componentId, m.enabled));
      return others.length > 0 ? { $type: 'mutation', Event: 'mutation', By: by, Mutations: others, Context: contextOf(d.context), Team: null } : null;
    }
    case 'reset':
      return { $type: 'reset', By: by };
    case 'position.requested':
      // Addressed to the bot ("Request CmBot to move to a specific point in it's scripts").
      return target.kind === 'bot' ? { $type: 'positionRequest', By: by, FlowId: str(d.flow) ?? '', StepId: str(d.step) ?? '' } : null;
    case 'message.sent':
      return { $type: 'messageSent', By: str(d.componentId), AuthorKind: str(d.authorKind) ?? 'bot', AgentId: str(d.agentId) };
    default:
      return null;
  }
}
