import { transition, type ControlRequest, type TransitionEnv } from '../../src/core/control.js';
import { controlStateOf, describeState } from '../../src/core/control-state.js';
import type { Conversation } from '../../src/core/conversation.js';
import { isBatonError } from '../../src/core/errors.js';
import { aConversation, anAccount, anEnv, BOT, DESK, withAccount } from './builders.js';

// The states and commands the exhaustive walk (control-states.test.ts) crosses, and how one cell is written.

export interface Fixture {
  conv: Conversation;
  env: TransitionEnv;
}

function run(f: Fixture, ...cmds: ControlRequest[]): Fixture {
  return { env: f.env, conv: cmds.reduce((c, cmd) => transition(c, cmd, f.env).conversation, f.conv) };
}

/** A `bot+desk` conversation (a bot in front, a desk behind) on an account that waits 1 s for an agent under keep-bot. */
function fresh(overrides: Parameters<typeof aConversation>[0] = {}, emergency = false): Fixture {
  const env = anEnv({ account: anAccount({ availability: { policy: 'keep-bot', waitMs: 1000 }, emergency }) });
  return { env, conv: aConversation({ mode: 'bot+desk', ...overrides }, env.account) };
}

const started = (): Fixture => run(fresh(), { type: 'customer_message', messageId: 'm-1' });
const queued = (): Fixture => run(started(), { type: 'handover', by: BOT });
const assigned = (): Fixture => run(queued(), { type: 'assign', agentId: 'agent-1' });

/** One conversation in each control state worth telling apart, named as docs/control-states.md names them. */
export const STATES: Record<string, () => Fixture> = {
  'new chat, bot in front': () => fresh(),
  'bot answering': started,
  'queued for the desk': queued,
  'with an agent': assigned,
  'deferred by the agent': () => run(assigned(), { type: 'defer' }),
  'agent session closed (agent-first)': () => run(assigned(), { type: 'reply', componentId: DESK, authorKind: 'agent', agentId: 'agent-1', messageId: 'r-1' }, { type: 'close_agent_session' }),
  'conversation closed': () => run(assigned(), { type: 'close' }),
  'nobody (desk switched off)': () => run({ ...fresh({ mode: 'desk' }) }, { type: 'customer_message', messageId: 'm-1' }, { type: 'mutate', mutations: [{ componentId: DESK, enabled: false }] }),
  'emergency: handed to the desk': () => {
    const s = started();
    const env = withAccount(s.env, { emergency: true });
    return { env, conv: transition(s.conv, { type: 'emergency_on' }, env).conversation };
  },
  'emergency: account switch, desk rule': () => {
    const f = fresh({ mode: 'desk' }, true);
    return run(f, { type: 'customer_message', messageId: 'm-1' });
  },
  // The account's switch is off again and its sweep has not reached the conversation yet.
  'emergency ending: queued': () => {
    const s = STATES['emergency: handed to the desk']!();
    return { env: withAccount(s.env, { emergency: false }), conv: s.conv };
  },
  'emergency ending: with an agent': () => {
    const s = STATES['emergency: handed to the desk']!();
    const taken = transition(s.conv, { type: 'assign', agentId: 'agent-1' }, s.env).conversation;
    return { env: withAccount(s.env, { emergency: false }), conv: taken };
  },
};

/** One command of every type (and the desk's take request); some name the current agent session. */
export const COMMANDS: Record<string, (conv: Conversation) => ControlRequest> = {
  customer_message: () => ({ type: 'customer_message', messageId: 'm-9' }),
  'reply (bot)': () => ({ type: 'reply', componentId: BOT, authorKind: 'bot', messageId: 'r-9' }),
  'reply (agent)': () => ({ type: 'reply', componentId: DESK, authorKind: 'agent', agentId: 'agent-1', messageId: 'r-9' }),
  handover: () => ({ type: 'handover', by: BOT }),
  takeover: () => ({ type: 'takeover', by: DESK, agentId: 'agent-2' }),
  take: (c) => ({ type: 'take', by: DESK, agentId: 'agent-2', expectedVersion: c.controlVersion }),
  handback: () => ({ type: 'handback', by: DESK }),
  position: () => ({ type: 'position', flow: 'main', step: 'start' }),
  reset: () => ({ type: 'reset' }),
  'mutate (bot off)': () => ({ type: 'mutate', by: DESK, mutations: [{ componentId: BOT, enabled: false }] }),
  'mutate (bot on)': () => ({ type: 'mutate', by: DESK, mutations: [{ componentId: BOT, enabled: true }] }),
  close_bot_session: () => ({ type: 'close_bot_session', by: BOT }),
  close_agent_session: () => ({ type: 'close_agent_session' }),
  close: () => ({ type: 'close' }),
  assign: () => ({ type: 'assign', agentId: 'agent-2' }),
  transfer: () => ({ type: 'transfer', team: 'sales' }),
  defer: () => ({ type: 'defer' }),
  update_context: () => ({ type: 'update_context', context: { topic: 'invoice' } }),
  'set_categories (to the agents)': () => ({ type: 'set_categories', categories: ['AGENT'] }),
  open_work_item: () => ({ type: 'open_work_item', owner: { kind: 'component', id: BOT }, messageId: 'm-1' }),
  close_work_item: () => ({ type: 'close_work_item', workItemId: 'w-unknown' }),
  emergency_on: () => ({ type: 'emergency_on' }),
  emergency_off: () => ({ type: 'emergency_off' }),
  'emergency_off (quietly)': () => ({ type: 'emergency_off', handBack: 'quietly' }),
  'emergency_off (keep with agents)': () => ({ type: 'emergency_off', handBack: 'keep_with_agents' }),
  handover_wait_expired: (c) => ({ type: 'handover_wait_expired', agentSessionId: c.agentSession?.id ?? 'none' }),
  bot_failover: () => ({ type: 'bot_failover', botId: BOT, reason: 'circuit broken' }),
  add_note: () => ({ type: 'add_note', agentId: 'agent-1', text: 'a word between agents' }),
  message_status: () => ({ type: 'message_status', messageId: 'r-1', componentId: BOT, status: 'read' }),
  'pass_control (to the desk)': () => ({ type: 'pass_control', by: BOT, to: DESK }),
  'offer_control (to the desk)': () => ({ type: 'offer_control', by: BOT, to: DESK, deadline: '2100-01-01T00:00:00.000Z' }),
  accept_control: () => ({ type: 'accept_control', by: DESK }),
  offer_expired: () => ({ type: 'offer_expired', offerId: 'o-unknown' }),
  widget_opened: () => ({ type: 'widget_opened', opening: { referer: 'https://shop.example/', widgetLanguage: 'en', browserLanguage: null, browser: null } }),
};

/**
 * A cell of the table: the refusal's code, or the state left, the events emitted and the effects
 * asked for, e.g. `agent open desk=assigned bot=open emergency=off | agent_session.assigned | audit:assign`.
 */
export function cell(f: Fixture, cmd: ControlRequest): string {
  try {
    const r = transition(f.conv, cmd, f.env);
    const effects = r.effects.map((e) => (e.kind === 'audit' ? `audit:${e.action}` : `timer:${e.timer}`));
    return `${describeState(r.state)} | ${r.events.map((e) => e.type).join(',') || '-'} | ${effects.join(',') || '-'}`;
  } catch (err) {
    if (isBatonError(err)) return `refused: ${err.code}`;
    throw err;
  }
}

export function stateOf(f: Fixture): string {
  return describeState(controlStateOf(f.conv, f.env.account));
}
