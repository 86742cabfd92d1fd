import { describe, expect, it } from 'vitest';
import { chooseChat } from '../../src/core/chat-choice.js';
import { type CommandType, type ControlRequest, transition } from '../../src/core/control.js';
import { openConversation } from '../../src/core/control-opening.js';
import { controlStateOf } from '../../src/core/control-state.js';
import { controllerOf } from '../../src/core/conversation.js';
import { BatonError, type ErrorCode } from '../../src/core/errors.js';
import type { ConversationEvent } from '../../src/core/events.js';
import { recipients } from '../../src/core/fanout.js';
import type { Channel, Service } from '../../src/core/model.js';
import { aConversation, anAccount, anEnv, BOT, DESK, NOW } from './builders.js';
import { cell, COMMANDS, type Fixture, STATES } from './control-table.js';

/**
 * Every state x command pair of the control state machine (docs/control-states.md): the state it
 * leaves (holder, status, desk, bot session, emergency), the events, the effects, or the refusal.
 */
const TABLE: Record<string, Record<string, string>> = {
  // bot open desk=none bot=none emergency=off
  'new chat, bot in front': {
    customer_message: 'bot open desk=none bot=open emergency=off | bot_session.opened,message.received | -',
    'reply (bot)': 'bot open desk=none bot=none emergency=off | message.sent | -',
    'reply (agent)': 'refused: component_disabled',
    handover: 'desk open desk=queued bot=none emergency=off | handover | timer:handover_wait,audit:handover',
    takeover: 'agent open desk=assigned bot=none emergency=off | takeover | audit:takeover',
    take: 'agent open desk=assigned bot=none emergency=off | takeover | audit:takeover',
    handback: 'refused: component_disabled',
    position: 'bot open desk=none bot=none emergency=off | position.requested | audit:position',
    reset: 'bot open desk=none bot=none emergency=off | reset | audit:reset',
    'mutate (bot off)': 'desk open desk=queued bot=none emergency=off | takeover,control.mutated | timer:handover_wait,audit:mutate',
    'mutate (bot on)': 'bot open desk=none bot=none emergency=off | control.mutated | audit:mutate',
    close_bot_session: 'refused: invalid_transition',
    close_agent_session: 'refused: invalid_transition',
    close: 'bot closed desk=none bot=none emergency=off | conversation.closed | audit:close',
    assign: 'refused: invalid_transition',
    transfer: 'refused: invalid_transition',
    defer: 'refused: invalid_transition',
    update_context: 'bot open desk=none bot=none emergency=off | context.updated | -',
    'set_categories (to the agents)': 'desk open desk=queued bot=none emergency=off | handover,categories.updated | timer:handover_wait,audit:set_categories',
    open_work_item: 'bot open desk=none bot=none emergency=off | work_item.opened | -',
    close_work_item: 'refused: invalid_transition',
    emergency_on: 'desk open desk=queued bot=none emergency=on | handover | timer:handover_wait',
    emergency_off: 'bot open desk=none bot=none emergency=off | - | -',
    'emergency_off (quietly)': 'bot open desk=none bot=none emergency=off | - | -',
    'emergency_off (keep with agents)': 'bot open desk=none bot=none emergency=off | - | -',
    handover_wait_expired: 'bot open desk=none bot=none emergency=off | - | -',
    bot_failover: 'desk open desk=queued bot=none emergency=off | handover | timer:handover_wait,audit:bot_failover',
    add_note: 'bot open desk=none bot=none emergency=off | note.added | -',
    message_status: 'bot open desk=none bot=none emergency=off | message.status | -',
    'pass_control (to the desk)': 'desk open desk=queued bot=none emergency=off | handover | timer:handover_wait,audit:pass_control',
    'offer_control (to the desk)': 'bot open desk=none bot=none emergency=off | control.offered | timer:offer_deadline,audit:offer_control',
    accept_control: 'refused: invalid_transition',
    offer_expired: 'bot open desk=none bot=none emergency=off | - | -',
    widget_opened: 'bot open desk=none bot=none emergency=off | widget.opened | -',
  },
  // bot open desk=none bot=open emergency=off
  'bot answering': {
    customer_message: 'bot open desk=none bot=open emergency=off | message.received | -',
    'reply (bot)': 'bot open desk=none bot=open emergency=off | message.sent | -',
    'reply (agent)': 'refused: component_disabled',
    handover: 'desk open desk=queued bot=open emergency=off | handover | timer:handover_wait,audit:handover',
    takeover: 'agent open desk=assigned bot=open emergency=off | takeover | audit:takeover',
    take: 'agent open desk=assigned bot=open emergency=off | takeover | audit:takeover',
    handback: 'refused: component_disabled',
    position: 'bot open desk=none bot=open emergency=off | position.requested | audit:position',
    reset: 'bot open desk=none bot=open emergency=off | reset | audit:reset',
    'mutate (bot off)': 'desk open desk=queued bot=open emergency=off | takeover,control.mutated | timer:handover_wait,audit:mutate',
    'mutate (bot on)': 'bot open desk=none bot=open emergency=off | control.mutated | audit:mutate',
    close_bot_session: 'bot open desk=none bot=none emergency=off | bot_session.closed | audit:close_bot_session',
    close_agent_session: 'refused: invalid_transition',
    close: 'bot closed desk=none bot=none emergency=off | bot_session.closed,conversation.closed | audit:close',
    assign: 'refused: invalid_transition',
    transfer: 'refused: invalid_transition',
    defer: 'refused: invalid_transition',
    update_context: 'bot open desk=none bot=open emergency=off | context.updated | -',
    'set_categories (to the agents)': 'desk open desk=queued bot=open emergency=off | handover,categories.updated | timer:handover_wait,audit:set_categories',
    open_work_item: 'bot open desk=none bot=open emergency=off | work_item.opened | -',
    close_work_item: 'refused: invalid_transition',
    emergency_on: 'desk open desk=queued bot=open emergency=on | handover | timer:handover_wait',
    emergency_off: 'bot open desk=none bot=open emergency=off | - | -',
    'emergency_off (quietly)': 'bot open desk=none bot=open emergency=off | - | -',
    'emergency_off (keep with agents)': 'bot open desk=none bot=open emergency=off | - | -',
    handover_wait_expired: 'bot open desk=none bot=open emergency=off | - | -',
    bot_failover: 'desk open desk=queued bot=open emergency=off | handover | timer:handover_wait,audit:bot_failover',
    add_note: 'bot open desk=none bot=open emergency=off | note.added | -',
    message_status: 'bot open desk=none bot=open emergency=off | message.status | -',
    'pass_control (to the desk)': 'desk open desk=queued bot=open emergency=off | handover | timer:handover_wait,audit:pass_control',
    'offer_control (to the desk)': 'bot open desk=none bot=open emergency=off | control.offered | timer:offer_deadline,audit:offer_control',
    accept_control: 'refused: invalid_transition',
    offer_expired: 'bot open desk=none bot=open emergency=off | - | -',
    widget_opened: 'bot open desk=none bot=open emergency=off | widget.opened | -',
  },
  // desk open desk=queued bot=open emergency=off
  'queued for the desk': {
    customer_message: 'desk open desk=queued bot=open emergency=off | message.received | -',
    'reply (bot)': 'refused: component_disabled',
    'reply (agent)': 'agent open desk=assigned bot=open emergency=off | agent_session.assigned,message.sent | audit:assign',
    handover: 'refused: component_disabled',
    takeover: 'refused: invalid_transition',
    take: 'agent open desk=assigned bot=open emergency=off | agent_session.assigned | audit:assign',
    handback: 'bot open desk=closed bot=open emergency=off | agent_session.closed,handback | audit:handback',
    position: 'desk open desk=queued bot=open emergency=off | position.requested | audit:position',
    reset: 'bot open desk=closed bot=open emergency=off | agent_session.closed,reset | audit:reset',
    'mutate (bot off)': 'desk open desk=queued bot=open emergency=off | control.mutated | audit:mutate',
    'mutate (bot on)': 'bot open desk=closed bot=open emergency=off | agent_session.closed,handback,control.mutated | audit:mutate',
    close_bot_session: 'desk open desk=queued bot=none emergency=off | bot_session.closed | audit:close_bot_session',
    close_agent_session: 'desk open desk=closed bot=open emergency=off | agent_session.closed | audit:close_agent_session',
    close: 'desk closed desk=closed bot=none emergency=off | agent_session.closed,bot_session.closed,conversation.closed | audit:close',
    assign: 'agent open desk=assigned bot=open emergency=off | agent_session.assigned | audit:assign',
    transfer: 'desk open desk=queued bot=open emergency=off | agent_session.transferred | audit:transfer',
    defer: 'desk open desk=deferred bot=open emergency=off | agent_session.deferred | audit:defer',
    update_context: 'desk open desk=queued bot=open emergency=off | context.updated | -',
    'set_categories (to the agents)': 'desk open desk=queued bot=open emergency=off | - | -',
    open_work_item: 'desk open desk=queued bot=open emergency=off | work_item.opened | -',
    close_work_item: 'refused: invalid_transition',
    emergency_on: 'desk open desk=queued bot=open emergency=off | - | -',
    emergency_off: 'desk open desk=queued bot=open emergency=off | - | -',
    'emergency_off (quietly)': 'desk open desk=queued bot=open emergency=off | - | -',
    'emergency_off (keep with agents)': 'desk open desk=queued bot=open emergency=off | - | -',
    handover_wait_expired: 'bot open desk=closed bot=open emergency=off | handover.rejected,agent_session.closed,handback | audit:handover_wait_expired',
    bot_failover: 'desk open desk=queued bot=open emergency=off | - | -',
    add_note: 'desk open desk=queued bot=open emergency=off | note.added | -',
    message_status: 'desk open desk=queued bot=open emergency=off | message.status | -',
    'pass_control (to the desk)': 'desk open desk=queued bot=open emergency=off | - | -',
    'offer_control (to the desk)': 'refused: invalid_transition',
    accept_control: 'refused: invalid_transition',
    offer_expired: 'desk open desk=queued bot=open emergency=off | - | -',
    widget_opened: 'desk open desk=queued bot=open emergency=off | widget.opened | -',
  },
  // agent open desk=assigned bot=open emergency=off
  'with an agent': {
    customer_message: 'agent open desk=assigned bot=open emergency=off | message.received | -',
    'reply (bot)': 'refused: component_disabled',
    'reply (agent)': 'agent open desk=assigned bot=open emergency=off | message.sent | -',
    handover: 'refused: component_disabled',
    takeover: 'refused: conversation_taken',
    take: 'refused: conversation_taken',
    handback: 'bot open desk=closed bot=open emergency=off | agent_session.closed,handback | audit:handback',
    position: 'agent open desk=assigned bot=open emergency=off | position.requested | audit:position',
    reset: 'bot open desk=closed bot=open emergency=off | agent_session.closed,reset | audit:reset',
    'mutate (bot off)': 'agent open desk=assigned bot=open emergency=off | control.mutated | audit:mutate',
    'mutate (bot on)': 'bot open desk=closed bot=open emergency=off | agent_session.closed,handback,control.mutated | audit:mutate',
    close_bot_session: 'agent open desk=assigned bot=none emergency=off | bot_session.closed | audit:close_bot_session',
    close_agent_session: 'desk open desk=closed bot=open emergency=off | agent_session.closed | audit:close_agent_session',
    close: 'desk closed desk=closed bot=none emergency=off | agent_session.closed,bot_session.closed,conversation.closed | audit:close',
    assign: 'refused: conversation_taken',
    transfer: 'desk open desk=queued bot=open emergency=off | agent_session.transferred | audit:transfer',
    defer: 'agent open desk=deferred bot=open emergency=off | agent_session.deferred | audit:defer',
    update_context: 'agent open desk=assigned bot=open emergency=off | context.updated | -',
    'set_categories (to the agents)': 'agent open desk=assigned bot=open emergency=off | - | -',
    open_work_item: 'agent open desk=assigned bot=open emergency=off | work_item.opened | -',
    close_work_item: 'refused: invalid_transition',
    emergency_on: 'agent open desk=assigned bot=open emergency=off | - | -',
    emergency_off: 'agent open desk=assigned bot=open emergency=off | - | -',
    'emergency_off (quietly)': 'agent open desk=assigned bot=open emergency=off | - | -',
    'emergency_off (keep with agents)': 'agent open desk=assigned bot=open emergency=off | - | -',
    handover_wait_expired: 'agent open desk=assigned bot=open emergency=off | - | -',
    bot_failover: 'agent open desk=assigned bot=open emergency=off | - | -',
    add_note: 'agent open desk=assigned bot=open emergency=off | note.added | -',
    message_status: 'agent open desk=assigned bot=open emergency=off | message.status | -',
    'pass_control (to the desk)': 'agent open desk=assigned bot=open emergency=off | - | -',
    'offer_control (to the desk)': 'refused: invalid_transition',
    accept_control: 'refused: invalid_transition',
    offer_expired: 'agent open desk=assigned bot=open emergency=off | - | -',
    widget_opened: 'agent open desk=assigned bot=open emergency=off | widget.opened | -',
  },
  // agent open desk=deferred bot=open emergency=off
  'deferred by the agent': {
    customer_message: 'agent open desk=deferred bot=open emergency=off | message.received | -',
    'reply (bot)': 'refused: component_disabled',
    'reply (agent)': 'agent open desk=deferred bot=open emergency=off | message.sent | -',
    handover: 'refused: component_disabled',
    takeover: 'refused: conversation_taken',
    take: 'refused: conversation_taken',
    handback: 'bot open desk=closed bot=open emergency=off | agent_session.closed,handback | audit:handback',
    position: 'agent open desk=deferred bot=open emergency=off | position.requested | audit:position',
    reset: 'bot open desk=closed bot=open emergency=off | agent_session.closed,reset | audit:reset',
    'mutate (bot off)': 'agent open desk=deferred bot=open emergency=off | control.mutated | audit:mutate',
    'mutate (bot on)': 'bot open desk=closed bot=open emergency=off | agent_session.closed,handback,control.mutated | audit:mutate',
    close_bot_session: 'agent open desk=deferred bot=none emergency=off | bot_session.closed | audit:close_bot_session',
    close_agent_session: 'desk open desk=closed bot=open emergency=off | agent_session.closed | audit:close_agent_session',
    close: 'desk closed desk=closed bot=none emergency=off | agent_session.closed,bot_session.closed,conversation.closed | audit:close',
    assign: 'refused: conversation_taken',
    transfer: 'desk open desk=queued bot=open emergency=off | agent_session.transferred | audit:transfer',
    defer: 'agent open desk=deferred bot=open emergency=off | agent_session.deferred | audit:defer',
    update_context: 'agent open desk=deferred bot=open emergency=off | context.updated | -',
    'set_categories (to the agents)': 'agent open desk=deferred bot=open emergency=off | - | -',
    open_work_item: 'agent open desk=deferred bot=open emergency=off | work_item.opened | -',
    close_work_item: 'refused: invalid_transition',
    emergency_on: 'agent open desk=deferred bot=open emergency=off | - | -',
    emergency_off: 'agent open desk=deferred bot=open emergency=off | - | -',
    'emergency_off (quietly)': 'agent open desk=deferred bot=open emergency=off | - | -',
    'emergency_off (keep with agents)': 'agent open desk=deferred bot=open emergency=off | - | -',
    handover_wait_expired: 'agent open desk=deferred bot=open emergency=off | - | -',
    bot_failover: 'agent open desk=deferred bot=open emergency=off | - | -',
    add_note: 'agent open desk=deferred bot=open emergency=off | note.added | -',
    message_status: 'agent open desk=deferred bot=open emergency=off | message.status | -',
    'pass_control (to the desk)': 'agent open desk=deferred bot=open emergency=off | - | -',
    'offer_control (to the desk)': 'refused: invalid_transition',
    accept_control: 'refused: invalid_transition',
    offer_expired: 'agent open desk=deferred bot=open emergency=off | - | -',
    widget_opened: 'agent open desk=deferred bot=open emergency=off | widget.opened | -',
  },
  // desk open desk=closed bot=open emergency=off
  'agent session closed (agent-first)': {
    customer_message: 'agent open desk=assigned bot=open emergency=off | agent_session.reopened,message.received | -',
    'reply (bot)': 'refused: component_disabled',
    'reply (agent)': 'desk open desk=closed bot=open emergency=off | message.sent | -',
    handover: 'refused: component_disabled',
    takeover: 'refused: invalid_transition',
    take: 'refused: invalid_transition',
    handback: 'bot open desk=closed bot=open emergency=off | handback | audit:handback',
    position: 'desk open desk=closed bot=open emergency=off | position.requested | audit:position',
    reset: 'bot open desk=closed bot=open emergency=off | reset | audit:reset',
    'mutate (bot off)': 'desk open desk=closed bot=open emergency=off | control.mutated | audit:mutate',
    'mutate (bot on)': 'bot open desk=closed bot=open emergency=off | handback,control.mutated | audit:mutate',
    close_bot_session: 'desk open desk=closed bot=none emergency=off | bot_session.closed | audit:close_bot_session',
    close_agent_session: 'refused: invalid_transition',
    close: 'desk closed desk=closed bot=none emergency=off | bot_session.closed,conversation.closed | audit:close',
    assign: 'refused: invalid_transition',
    transfer: 'refused: invalid_transition',
    defer: 'refused: invalid_transition',
    update_context: 'desk open desk=closed bot=open emergency=off | context.updated | -',
    'set_categories (to the agents)': 'desk open desk=closed bot=open emergency=off | - | -',
    open_work_item: 'desk open desk=closed bot=open emergency=off | work_item.opened | -',
    close_work_item: 'refused: invalid_transition',
    emergency_on: 'desk open desk=closed bot=open emergency=off | - | -',
    emergency_off: 'desk open desk=closed bot=open emergency=off | - | -',
    'emergency_off (quietly)': 'desk open desk=closed bot=open emergency=off | - | -',
    'emergency_off (keep with agents)': 'desk open desk=closed bot=open emergency=off | - | -',
    handover_wait_expired: 'desk open desk=closed bot=open emergency=off | - | -',
    bot_failover: 'desk open desk=closed bot=open emergency=off | - | -',
    add_note: 'desk open desk=closed bot=open emergency=off | note.added | -',
    message_status: 'desk open desk=closed bot=open emergency=off | message.status | -',
    'pass_control (to the desk)': 'desk open desk=closed bot=open emergency=off | - | -',
    'offer_control (to the desk)': 'refused: invalid_transition',
    accept_control: 'refused: invalid_transition',
    offer_expired: 'desk open desk=closed bot=open emergency=off | - | -',
    widget_opened: 'desk open desk=closed bot=open emergency=off | widget.opened | -',
  },
  // desk closed desk=closed bot=none emergency=off
  'conversation closed': {
    customer_message: 'bot open desk=none bot=open emergency=off | conversation.reopened,reset,bot_session.opened,message.received | -',
    'reply (bot)': 'refused: invalid_transition',
    'reply (agent)': 'refused: invalid_transition',
    handover: 'refused: component_disabled',
    takeover: 'refused: invalid_transition',
    take: 'refused: invalid_transition',
    handback: 'bot closed desk=closed bot=open emergency=off | handback,bot_session.opened | audit:handback',
    position: 'desk closed desk=closed bot=none emergency=off | position.requested | audit:position',
    reset: 'bot closed desk=closed bot=none emergency=off | reset | audit:reset',
    'mutate (bot off)': 'desk closed desk=closed bot=none emergency=off | control.mutated | audit:mutate',
    'mutate (bot on)': 'bot closed desk=closed bot=open emergency=off | handback,bot_session.opened,control.mutated | audit:mutate',
    close_bot_session: 'refused: invalid_transition',
    close_agent_session: 'refused: invalid_transition',
    close: 'refused: invalid_transition',
    assign: 'refused: invalid_transition',
    transfer: 'refused: invalid_transition',
    defer: 'refused: invalid_transition',
    update_context: 'desk closed desk=closed bot=none emergency=off | context.updated | -',
    'set_categories (to the agents)': 'desk closed desk=closed bot=none emergency=off | - | -',
    open_work_item: 'desk closed desk=closed bot=none emergency=off | work_item.opened | -',
    close_work_item: 'refused: invalid_transition',
    emergency_on: 'desk closed desk=closed bot=none emergency=off | - | -',
    emergency_off: 'desk closed desk=closed bot=none emergency=off | - | -',
    'emergency_off (quietly)': 'desk closed desk=closed bot=none emergency=off | - | -',
    'emergency_off (keep with agents)': 'desk closed desk=closed bot=none emergency=off | - | -',
    handover_wait_expired: 'desk closed desk=closed bot=none emergency=off | - | -',
    bot_failover: 'desk closed desk=closed bot=none emergency=off | - | -',
    add_note: 'desk closed desk=closed bot=none emergency=off | note.added | -',
    message_status: 'desk closed desk=closed bot=none emergency=off | message.status | -',
    'pass_control (to the desk)': 'refused: invalid_transition',
    'offer_control (to the desk)': 'refused: invalid_transition',
    accept_control: 'refused: invalid_transition',
    offer_expired: 'desk closed desk=closed bot=none emergency=off | - | -',
    widget_opened: 'desk closed desk=closed bot=none emergency=off | widget.opened | -',
  },
  // nobody open desk=queued bot=none emergency=off
  'nobody (desk switched off)': {
    customer_message: 'nobody open desk=queued bot=none emergency=off | message.received | -',
    'reply (bot)': 'refused: component_disabled',
    'reply (agent)': 'refused: component_disabled',
    handover: 'refused: component_disabled',
    takeover: 'refused: invalid_transition',
    take: 'nobody open desk=assigned bot=none emergency=off | agent_session.assigned | audit:assign',
    handback: 'refused: component_disabled',
    position: 'nobody open desk=queued bot=none emergency=off | position.requested | audit:position',
    reset: 'desk open desk=queued bot=none emergency=off | reset | audit:reset',
    'mutate (bot off)': 'nobody open desk=queued bot=none emergency=off | control.mutated | audit:mutate',
    'mutate (bot on)': 'nobody open desk=queued bot=none emergency=off | control.mutated | audit:mutate',
    close_bot_session: 'refused: invalid_transition',
    close_agent_session: 'nobody open desk=closed bot=none emergency=off | agent_session.closed | audit:close_agent_session',
    close: 'nobody closed desk=closed bot=none emergency=off | agent_session.closed,conversation.closed | audit:close',
    assign: 'nobody open desk=assigned bot=none emergency=off | agent_session.assigned | audit:assign',
    transfer: 'nobody open desk=queued bot=none emergency=off | agent_session.transferred | audit:transfer',
    defer: 'nobody open desk=deferred bot=none emergency=off | agent_session.deferred | audit:defer',
    update_context: 'nobody open desk=queued bot=none emergency=off | context.updated | -',
    'set_categories (to the agents)': 'nobody open desk=queued bot=none emergency=off | categories.updated | audit:set_categories',
    open_work_item: 'nobody open desk=queued bot=none emergency=off | work_item.opened | -',
    close_work_item: 'refused: invalid_transition',
    emergency_on: 'nobody open desk=queued bot=none emergency=off | - | -',
    emergency_off: 'nobody open desk=queued bot=none emergency=off | - | -',
    'emergency_off (quietly)': 'nobody open desk=queued bot=none emergency=off | - | -',
    'emergency_off (keep with agents)': 'nobody open desk=queued bot=none emergency=off | - | -',
    handover_wait_expired: 'nobody open desk=queued bot=none emergency=off | - | -',
    bot_failover: 'nobody open desk=queued bot=none emergency=off | - | -',
    add_note: 'nobody open desk=queued bot=none emergency=off | note.added | -',
    message_status: 'nobody open desk=queued bot=none emergency=off | message.status | -',
    'pass_control (to the desk)': 'refused: invalid_transition',
    'offer_control (to the desk)': 'refused: invalid_transition',
    accept_control: 'refused: invalid_transition',
    offer_expired: 'nobody open desk=queued bot=none emergency=off | - | -',
    widget_opened: 'nobody open desk=queued bot=none emergency=off | widget.opened | -',
  },
  // desk open desk=queued bot=open emergency=on
  'emergency: handed to the desk': {
    customer_message: 'desk open desk=queued bot=open emergency=on | message.received | -',
    'reply (bot)': 'refused: component_disabled',
    'reply (agent)': 'agent open desk=assigned bot=open emergency=on | agent_session.assigned,message.sent | audit:assign',
    handover: 'refused: component_disabled',
    takeover: 'refused: invalid_transition',
    take: 'agent open desk=assigned bot=open emergency=on | agent_session.assigned | audit:assign',
    handback: 'refused: invalid_transition',
    position: 'desk open desk=queued bot=open emergency=on | position.requested | audit:position',
    reset: 'desk open desk=queued bot=open emergency=on | reset | audit:reset',
    'mutate (bot off)': 'desk open desk=queued bot=open emergency=on | control.mutated | audit:mutate',
    'mutate (bot on)': 'refused: invalid_transition',
    close_bot_session: 'desk open desk=queued bot=none emergency=on | bot_session.closed | audit:close_bot_session',
    close_agent_session: 'desk open desk=closed bot=open emergency=on | agent_session.closed | audit:close_agent_session',
    close: 'desk closed desk=closed bot=none emergency=on | agent_session.closed,bot_session.closed,conversation.closed | audit:close',
    assign: 'agent open desk=assigned bot=open emergency=on | agent_session.assigned | audit:assign',
    transfer: 'desk open desk=queued bot=open emergency=on | agent_session.transferred | audit:transfer',
    defer: 'desk open desk=deferred bot=open emergency=on | agent_session.deferred | audit:defer',
    update_context: 'desk open desk=queued bot=open emergency=on | context.updated | -',
    'set_categories (to the agents)': 'desk open desk=queued bot=open emergency=on | - | -',
    open_work_item: 'desk open desk=queued bot=open emergency=on | work_item.opened | -',
    close_work_item: 'refused: invalid_transition',
    emergency_on: 'desk open desk=queued bot=open emergency=on | - | -',
    emergency_off: 'desk open desk=queued bot=open emergency=on | - | -',
    'emergency_off (quietly)': 'desk open desk=queued bot=open emergency=on | - | -',
    'emergency_off (keep with agents)': 'desk open desk=queued bot=open emergency=on | - | -',
    handover_wait_expired: 'desk open desk=queued bot=open emergency=on | - | -',
    bot_failover: 'desk open desk=queued bot=open emergency=on | - | -',
    add_note: 'desk open desk=queued bot=open emergency=on | note.added | -',
    message_status: 'desk open desk=queued bot=open emergency=on | message.status | -',
    'pass_control (to the desk)': 'desk open desk=queued bot=open emergency=on | - | -',
    'offer_control (to the desk)': 'refused: invalid_transition',
    accept_control: 'refused: invalid_transition',
    offer_expired: 'desk open desk=queued bot=open emergency=on | - | -',
    widget_opened: 'desk open desk=queued bot=open emergency=on | widget.opened | -',
  },
  // desk open desk=queued bot=none emergency=account
  'emergency: account switch, desk rule': {
    customer_message: 'desk open desk=queued bot=none emergency=account | message.received | -',
    'reply (bot)': 'refused: component_disabled',
    'reply (agent)': 'agent open desk=assigned bot=none emergency=account | agent_session.assigned,message.sent | audit:assign',
    handover: 'refused: component_disabled',
    takeover: 'refused: invalid_transition',
    take: 'agent open desk=assigned bot=none emergency=account | agent_session.assigned | audit:assign',
    handback: 'refused: invalid_transition',
    position: 'desk open desk=queued bot=none emergency=account | position.requested | audit:position',
    reset: 'desk open desk=queued bot=none emergency=account | reset | audit:reset',
    'mutate (bot off)': 'desk open desk=queued bot=none emergency=account | control.mutated | audit:mutate',
    'mutate (bot on)': 'desk open desk=queued bot=none emergency=account | control.mutated | audit:mutate',
    close_bot_session: 'refused: invalid_transition',
    close_agent_session: 'desk open desk=closed bot=none emergency=account | agent_session.closed | audit:close_agent_session',
    close: 'desk closed desk=closed bot=none emergency=account | agent_session.closed,conversation.closed | audit:close',
    assign: 'agent open desk=assigned bot=none emergency=account | agent_session.assigned | audit:assign',
    transfer: 'desk open desk=queued bot=none emergency=account | agent_session.transferred | audit:transfer',
    defer: 'desk open desk=deferred bot=none emergency=account | agent_session.deferred | audit:defer',
    update_context: 'desk open desk=queued bot=none emergency=account | context.updated | -',
    'set_categories (to the agents)': 'desk open desk=queued bot=none emergency=account | categories.updated | audit:set_categories',
    open_work_item: 'desk open desk=queued bot=none emergency=account | work_item.opened | -',
    close_work_item: 'refused: invalid_transition',
    emergency_on: 'desk open desk=queued bot=none emergency=account | - | -',
    emergency_off: 'desk open desk=queued bot=none emergency=account | - | -',
    'emergency_off (quietly)': 'desk open desk=queued bot=none emergency=account | - | -',
    'emergency_off (keep with agents)': 'desk open desk=queued bot=none emergency=account | - | -',
    handover_wait_expired: 'desk open desk=queued bot=none emergency=account | - | -',
    bot_failover: 'desk open desk=queued bot=none emergency=account | - | -',
    add_note: 'desk open desk=queued bot=none emergency=account | note.added | -',
    message_status: 'desk open desk=queued bot=none emergency=account | message.status | -',
    'pass_control (to the desk)': 'desk open desk=queued bot=none emergency=account | - | -',
    'offer_control (to the desk)': 'refused: invalid_transition',
    accept_control: 'refused: invalid_transition',
    offer_expired: 'desk open desk=queued bot=none emergency=account | - | -',
    widget_opened: 'desk open desk=queued bot=none emergency=account | widget.opened | -',
  },
  // desk open desk=queued bot=open emergency=on
  'emergency ending: queued': {
    customer_message: 'desk open desk=queued bot=open emergency=on | message.received | -',
    'reply (bot)': 'refused: component_disabled',
    'reply (agent)': 'agent open desk=assigned bot=open emergency=on | agent_session.assigned,message.sent | audit:assign',
    handover: 'refused: component_disabled',
    takeover: 'refused: invalid_transition',
    take: 'agent open desk=assigned bot=open emergency=on | agent_session.assigned | audit:assign',
    handback: 'bot open desk=closed bot=open emergency=off | agent_session.closed,handback | audit:handback',
    position: 'desk open desk=queued bot=open emergency=on | position.requested | audit:position',
    reset: 'bot open desk=closed bot=open emergency=off | agent_session.closed,reset | audit:reset',
    'mutate (bot off)': 'desk open desk=queued bot=open emergency=on | control.mutated | audit:mutate',
    'mutate (bot on)': 'bot open desk=closed bot=open emergency=off | agent_session.closed,handback,control.mutated | audit:mutate',
    close_bot_session: 'desk open desk=queued bot=none emergency=on | bot_session.closed | audit:close_bot_session',
    close_agent_session: 'desk open desk=closed bot=open emergency=on | agent_session.closed | audit:close_agent_session',
    close: 'desk closed desk=closed bot=none emergency=on | agent_session.closed,bot_session.closed,conversation.closed | audit:close',
    assign: 'agent open desk=assigned bot=open emergency=on | agent_session.assigned | audit:assign',
    transfer: 'desk open desk=queued bot=open emergency=on | agent_session.transferred | audit:transfer',
    defer: 'desk open desk=deferred bot=open emergency=on | agent_session.deferred | audit:defer',
    update_context: 'desk open desk=queued bot=open emergency=on | context.updated | -',
    'set_categories (to the agents)': 'desk open desk=queued bot=open emergency=on | - | -',
    open_work_item: 'desk open desk=queued bot=open emergency=on | work_item.opened | -',
    close_work_item: 'refused: invalid_transition',
    emergency_on: 'desk open desk=queued bot=open emergency=on | - | -',
    emergency_off: 'bot open desk=closed bot=open emergency=off | agent_session.closed,handback | -',
    'emergency_off (quietly)': 'bot open desk=closed bot=open emergency=off | agent_session.closed,handback | -',
    'emergency_off (keep with agents)': 'desk open desk=queued bot=open emergency=off | control.mutated | -',
    handover_wait_expired: 'bot open desk=closed bot=open emergency=off | handover.rejected,agent_session.closed,handback | audit:handover_wait_expired',
    bot_failover: 'desk open desk=queued bot=open emergency=on | - | -',
    add_note: 'desk open desk=queued bot=open emergency=on | note.added | -',
    message_status: 'desk open desk=queued bot=open emergency=on | message.status | -',
    'pass_control (to the desk)': 'desk open desk=queued bot=open emergency=on | - | -',
    'offer_control (to the desk)': 'refused: invalid_transition',
    accept_control: 'refused: invalid_transition',
    offer_expired: 'desk open desk=queued bot=open emergency=on | - | -',
    widget_opened: 'desk open desk=queued bot=open emergency=on | widget.opened | -',
  },
  // agent open desk=assigned bot=open emergency=on
  'emergency ending: with an agent': {
    customer_message: 'agent open desk=assigned bot=open emergency=on | message.received | -',
    'reply (bot)': 'refused: component_disabled',
    'reply (agent)': 'agent open desk=assigned bot=open emergency=on | message.sent | -',
    handover: 'refused: component_disabled',
    takeover: 'refused: conversation_taken',
    take: 'refused: conversation_taken',
    handback: 'bot open desk=closed bot=open emergency=off | agent_session.closed,handback | audit:handback',
    position: 'agent open desk=assigned bot=open emergency=on | position.requested | audit:position',
    reset: 'bot open desk=closed bot=open emergency=off | agent_session.closed,reset | audit:reset',
    'mutate (bot off)': 'agent open desk=assigned bot=open emergency=on | control.mutated | audit:mutate',
    'mutate (bot on)': 'bot open desk=closed bot=open emergency=off | agent_session.closed,handback,control.mutated | audit:mutate',
    close_bot_session: 'agent open desk=assigned bot=none emergency=on | bot_session.closed | audit:close_bot_session',
    close_agent_session: 'desk open desk=closed bot=open emergency=on | agent_session.closed | audit:close_agent_session',
    close: 'desk closed desk=closed bot=none emergency=on | agent_session.closed,bot_session.closed,conversation.closed | audit:close',
    assign: 'refused: conversation_taken',
    transfer: 'desk open desk=queued bot=open emergency=on | agent_session.transferred | audit:transfer',
    defer: 'agent open desk=deferred bot=open emergency=on | agent_session.deferred | audit:defer',
    update_context: 'agent open desk=assigned bot=open emergency=on | context.updated | -',
    'set_categories (to the agents)': 'agent open desk=assigned bot=open emergency=on | - | -',
    open_work_item: 'agent open desk=assigned bot=open emergency=on | work_item.opened | -',
    close_work_item: 'refused: invalid_transition',
    emergency_on: 'agent open desk=assigned bot=open emergency=on | - | -',
    emergency_off: 'bot open desk=closed bot=open emergency=off | agent_session.closed,handback | -',
    'emergency_off (quietly)': 'agent open desk=assigned bot=open emergency=off | control.mutated | -',
    'emergency_off (keep with agents)': 'agent open desk=assigned bot=open emergency=off | control.mutated | -',
    handover_wait_expired: 'agent open desk=assigned bot=open emergency=on | - | -',
    bot_failover: 'agent open desk=assigned bot=open emergency=on | - | -',
    add_note: 'agent open desk=assigned bot=open emergency=on | note.added | -',
    message_status: 'agent open desk=assigned bot=open emergency=on | message.status | -',
    'pass_control (to the desk)': 'agent open desk=assigned bot=open emergency=on | - | -',
    'offer_control (to the desk)': 'refused: invalid_transition',
    accept_control: 'refused: invalid_transition',
    offer_expired: 'agent open desk=assigned bot=open emergency=on | - | -',
    widget_opened: 'agent open desk=assigned bot=open emergency=on | widget.opened | -',
  },
};

/** Every command type the table must cross; the compiler keeps it complete. */
const EVERY_TYPE: { [K in CommandType | 'take']: true } = {
  customer_message: true, reply: true, handover: true, takeover: true, take: true, handback: true, position: true, reset: true, mutate: true,
  close_bot_session: true, close_agent_session: true, close: true, assign: true, transfer: true, defer: true, update_context: true,
  set_categories: true, open_work_item: true, close_work_item: true, emergency_on: true, emergency_off: true, handover_wait_expired: true,
  bot_failover: true, add_note: true, message_status: true, pass_control: true, offer_control: true, accept_control: true, offer_expired: true,
  widget_opened: true,
};

const pairs = Object.entries(STATES).flatMap(([state, make]) => Object.entries(COMMANDS).map(([command, cmd]) => ({ state, command, make, cmd })));

function refusal(run: () => unknown): ErrorCode {
  try {
    run();
  } catch (err) {
    if (err instanceof BatonError) return err.code;
    throw err;
  }
  throw new Error('not refused');
}

describe('the control table', () => {
  it('crosses every state with a command of every type', () => {
    const probe = STATES['bot answering']!().conv;
    expect(new Set(Object.values(COMMANDS).map((c) => c(probe).type))).toEqual(new Set(Object.keys(EVERY_TYPE)));
    expect(Object.keys(TABLE)).toEqual(Object.keys(STATES));
    for (const row of Object.values(TABLE)) expect(Object.keys(row)).toEqual(Object.keys(COMMANDS));
  });

  it.each(pairs)('$state x $command', ({ state, command, make, cmd }) => {
    const f = make();
    expect(cell(f, cmd(f.conv))).toBe(TABLE[state]![command]);
  });

  it.each(pairs)('$state x $command keeps the invariants', ({ make, cmd }) => {
    const f: Fixture = make();
    const snapshot = structuredClone(f.conv);
    let result;
    try {
      result = transition(f.conv, cmd(f.conv), f.env);
    } catch (err) {
      expect(err).toBeInstanceOf(BatonError);
      expect(f.conv).toEqual(snapshot);
      return;
    }
    const { conversation, state, events } = result;
    expect(f.conv).toEqual(snapshot);
    expect(conversation.controller).toBe(controllerOf(conversation, f.env.account));
    expect(state).toEqual(controlStateOf(conversation, f.env.account));
    // Control never moves unseen: a new controller means a new version, and the events that moved it carry each version in turn.
    if (conversation.controller !== snapshot.controller) expect(conversation.controlVersion).toBeGreaterThan(snapshot.controlVersion);
    const stamped = events.map((e) => e.data.controlVersion).filter((v): v is number => typeof v === 'number');
    expect(conversation.controlVersion).toBeGreaterThanOrEqual(snapshot.controlVersion);
    for (let v = snapshot.controlVersion + 1; v <= conversation.controlVersion; v++) expect(stamped).toContain(v);
    expect([...stamped].sort((x, y) => x - y)).toEqual(stamped);
  });
});

describe('facts and guards the edges pass to the core', () => {
  const bot = (): Fixture => STATES['bot answering']!();
  const queued = (): Fixture => STATES['queued for the desk']!();

  it('refuses a message nobody would answer unless the chat is with the humans (web chat status)', () => {
    const fresh = STATES['new chat, bot in front']!();
    expect(refusal(() => transition(fresh.conv, { type: 'customer_message', messageId: 'm-2' }, { ...fresh.env, nobodyAnswers: true }))).toBe('chat_unavailable');
    const closed = STATES['agent session closed (agent-first)']!();
    expect(refusal(() => transition(closed.conv, { type: 'customer_message', messageId: 'm-2' }, { ...closed.env, nobodyAnswers: true }))).toBe('chat_unavailable');
    const q = queued();
    expect(transition(q.conv, { type: 'customer_message', messageId: 'm-2' }, { ...q.env, nobodyAnswers: true }).events.map((e) => e.type)).toEqual(['message.received']);
  });

  it('refuses a bot that speaks for a bot session that closed (IMI Conversationid)', () => {
    const f = bot();
    const old = f.conv.botSession!.id;
    const closed = transition(f.conv, { type: 'close_bot_session', by: BOT, botSessionId: old }, f.env).conversation;
    for (const cmd of [
      { type: 'reply', componentId: BOT, authorKind: 'bot', messageId: 'r-2', botSessionId: old },
      { type: 'handover', by: BOT, botSessionId: old },
      { type: 'close_bot_session', by: BOT, botSessionId: old },
    ] satisfies ControlRequest[]) {
      expect(refusal(() => transition(closed, cmd, f.env))).toBe('invalid_transition');
    }
    expect(transition(f.conv, { type: 'reply', componentId: BOT, authorKind: 'bot', messageId: 'r-2', botSessionId: old }, f.env).events.map((e) => e.type)).toEqual(['message.sent']);
  });

  it('applies seed 003\'s close conditions in their order when a desk user closes an intervention', () => {
    const guard = { userId: 'agent-1', admin: false, canRead: true };
    const q = queued();
    const session = q.conv.agentSession!.id;
    const message = (f: Fixture, cmd: ControlRequest) => {
      try {
        transition(f.conv, cmd, f.env);
      } catch (err) {
        return (err as BatonError).code === 'forbidden' ? (err as BatonError).message : `not forbidden: ${(err as BatonError).code}`;
      }
      return 'closed';
    };
    expect(message(q, { type: 'close_agent_session', agentSessionId: 'earlier', guard })).toMatch(/already closed/);
    expect(message(q, { type: 'close_agent_session', agentSessionId: session, guard })).toMatch(/no agent replies/);
    const answered: Fixture = { env: q.env, conv: transition(transition(q.conv, { type: 'assign', agentId: 'agent-2' }, q.env).conversation, { type: 'reply', componentId: DESK, authorKind: 'agent', agentId: 'agent-2', messageId: 'r-2' }, q.env).conversation };
    expect(message(answered, { type: 'close_agent_session', agentSessionId: session, guard })).toMatch(/belongs to agent-2/);
    expect(message(answered, { type: 'close_agent_session', agentSessionId: session, guard: { ...guard, admin: true, canRead: false } })).toMatch(/no read access on source web/);
    expect(message(answered, { type: 'close_agent_session', agentSessionId: session, guard: { ...guard, admin: true } })).toBe('closed');
    expect(message(answered, { type: 'close_work_item', workItemId: 'w-1', guard })).toMatch(/already closed/);
  });

  it('makes a take a takeover from the bot and an assignment from the queue, decided on the state it finds', () => {
    const b = bot();
    expect(transition(b.conv, { type: 'take', by: DESK, agentId: 'agent-1', expectedVersion: b.conv.controlVersion }, b.env).events.map((e) => e.type)).toEqual(['takeover']);
    expect(refusal(() => transition(b.conv, { type: 'take', by: DESK, agentId: 'agent-1', expectedVersion: b.conv.controlVersion - 1 }, b.env))).toBe('stale_control');
    const q = queued();
    // The version the agent saw does not matter once the humans hold it: of two takes, the second is told who holds it.
    const first = transition(q.conv, { type: 'take', by: DESK, agentId: 'agent-1', expectedVersion: 1 }, q.env).conversation;
    expect(refusal(() => transition(first, { type: 'take', by: DESK, agentId: 'agent-2', expectedVersion: 1 }, q.env))).toBe('conversation_taken');
  });
});

describe('opening a chat: the first thread starts as every thread does', () => {
  const account = anAccount();
  const service: Service = { accountId: account.id, id: 'svc', channels: ['web'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: BOT, desk: DESK, team: 'sales' } }] } as unknown as Service;
  const channel = (emergency: boolean): Channel => ({ accountId: account.id, id: 'web', kind: 'webchat', address: 'acme', outboundUrl: null, credentials: {}, realtime: true, defaultCategories: ['BOT', 'web'], active: true, emergency });
  const open = (emergency: boolean) => openConversation({ account, channel: channel(emergency), id: 'c-1', customer: 'v-1', content: { type: 'text', text: 'hello' }, services: [service], now: NOW });

  it('gives it to the rule: the bot in front, the rule\'s team, the channel\'s categories', () => {
    const { conversation, opened } = open(false);
    expect(controlStateOf(conversation, account)).toEqual({ holder: 'bot', status: 'open', desk: 'none', botSession: 'none', emergency: 'off' });
    expect(conversation).toMatchObject({ mode: 'bot+desk', bot: BOT, desk: DESK, team: 'sales', categories: ['BOT', 'web'], mutations: {}, controlVersion: 1, title: 'hello' });
    expect(opened).toEqual({ type: 'conversation.opened', data: { channelId: 'web', customer: 'v-1', business: 'acme', serviceId: 'svc', ruleId: 'r', mode: 'bot+desk', bot: BOT, desk: DESK, controller: 'bot', controlVersion: 1 } });
  });

  it('gives it to the humans, categorised as theirs, when the channel\'s emergency switch is on', () => {
    const { conversation, opened } = open(true);
    expect(controlStateOf(conversation, account).holder).toBe('desk');
    expect(conversation).toMatchObject({ mutations: { [BOT]: false }, categories: ['AGENT', 'web'] });
    expect(opened.data.controller).toBe('desk');
  });

  it('starts a later thread the same way (channel emergency: with the humans and their category)', () => {
    const env = anEnv({ newThreadToHumans: true });
    const conv = aConversation({ mode: 'bot+desk', status: 'closed', lastCustomerMessageAt: NOW }, env.account);
    const { conversation } = transition(conv, { type: 'customer_message', messageId: 'm-2', title: 'again' }, env);
    expect(conversation).toMatchObject({ mutations: { [BOT]: false }, categories: ['AGENT'], title: 'again', thread: { number: 2 } });
  });
});

describe('the chat a message that names none belongs to (CM BMProxy)', () => {
  const a = { ...aConversation({ id: 'a', channelId: 'wa', updatedAt: '2026-01-05T10:00:00.000Z' }) };
  const b = { ...aConversation({ id: 'b', channelId: 'sms', updatedAt: '2026-01-05T11:00:00.000Z' }) };
  const deskOnly = { ...aConversation({ id: 'd', mode: 'desk', updatedAt: '2026-01-05T12:00:00.000Z' }) };

  it('counts only chats the sender takes part in, prefers the sender\'s channels, then the latest', () => {
    expect(chooseChat([a, null, deskOnly], BOT, () => false)).toBe(a);
    expect(chooseChat([a, b, deskOnly], BOT, () => false)).toBe(b);
    expect(chooseChat([a, b], BOT, (c) => c.channelId === 'wa')).toBe(a);
    expect(chooseChat([deskOnly, null], BOT, () => true)).toBeNull();
  });
});

describe('what the emergency\'s end tells whom (handBack)', () => {
  /** The components each event of a transition would be delivered to, by event type. */
  function heard(f: Fixture, handBack?: 'tell_bots' | 'quietly' | 'keep_with_agents') {
    const r = transition(f.conv, { type: 'emergency_off', ...(handBack ? { handBack } : {}) }, f.env);
    const conv = { ...r.conversation };
    return {
      conv: r.conversation,
      events: r.events,
      to: r.events.map((e, i) => `${e.type}>${recipients(conv, { ...e, accountId: 'acme', conversationId: conv.id, seq: i + 1, at: NOW } as ConversationEvent).map((x) => x.target.id).join('+')}`),
    };
  }
  const queued = () => STATES['emergency ending: queued']!();
  const taken = () => STATES['emergency ending: with an agent']!();

  it('tells the bot by default, and hands back even what an agent took', () => {
    expect(heard(queued()).to).toEqual([`agent_session.closed>${BOT}+${DESK}`, `handback>${BOT}+${DESK}`]);
    const t = heard(taken(), 'tell_bots');
    expect(t.conv.controller).toBe('bot');
    expect(t.to).toEqual([`agent_session.closed>${BOT}+${DESK}`, `handback>${BOT}+${DESK}`]);
  });

  it('quietly: records the handback for the desk alone, and leaves an agent\'s conversation with the agent', () => {
    const q = heard(queued(), 'quietly');
    expect(q.conv).toMatchObject({ controller: 'bot', emergency: false });
    expect(q.events.every((e) => e.data.quiet === true)).toBe(true);
    expect(q.to).toEqual([`agent_session.closed>${DESK}`, `handback>${DESK}`]);
    const t = heard(taken(), 'quietly');
    expect(t.conv).toMatchObject({ controller: 'desk', emergency: false, mutations: { [BOT]: false }, agentSession: { status: 'assigned', agentId: 'agent-1' } });
    expect(t.to).toEqual([`control.mutated>${DESK}`]);
  });

  it('keep_with_agents: every conversation stays with the humans as after an ordinary handover, and the bot hears nothing', () => {
    for (const f of [queued(), taken()]) {
      const k = heard(f, 'keep_with_agents');
      expect(k.conv).toMatchObject({ controller: 'desk', emergency: false, mutations: { [BOT]: false }, controlVersion: f.conv.controlVersion });
      expect(k.to).toEqual([`control.mutated>${DESK}`]);
      // Nothing of the emergency is left: a handback by the desk now is an ordinary one, and the bot is told.
      const back = transition(k.conv, { type: 'handback', by: DESK }, f.env);
      expect(back.conversation.controller).toBe('bot');
      expect(back.events.find((e) => e.type === 'handback')?.data.quiet).toBeUndefined();
    }
  });
});
