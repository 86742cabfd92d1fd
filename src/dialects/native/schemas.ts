import Type from 'typebox';
import { HAND_BACK } from '../../core/control-types.js';

/** Request and response shapes of the native API; the OpenAPI document is generated from these. */

const Id = Type.String({ minLength: 1, maxLength: 200 });
const Version = Type.Integer({ minimum: 0, description: 'Refuse with 409 stale_control unless control is still at this version.' });
const Context = Type.Record(Type.String(), Type.Unknown(), { description: 'Context variables: routing values for teams, what the bot learned.' });

export const ContentSchema = Type.Object({
  type: Type.Union([Type.Literal('text'), Type.Literal('media'), Type.Literal('postback'), Type.Literal('custom')]),
  text: Type.Optional(Type.String({ maxLength: 65536 })),
  media: Type.Optional(Type.Object({ url: Type.String({ maxLength: 4096 }), contentType: Type.Optional(Type.String()), name: Type.Optional(Type.String()), size: Type.Optional(Type.Integer({ minimum: 0, description: 'bytes; Baton gives it for the files it stores' })) }, { additionalProperties: false })),
  postback: Type.Optional(Type.Object({ payload: Type.String(), title: Type.Optional(Type.String()) }, { additionalProperties: false })),
  buttons: Type.Optional(Type.Array(Type.Object({ id: Type.Optional(Type.String()), title: Type.String(), payload: Type.Optional(Type.String()) }, { additionalProperties: false }), { maxItems: 50 })),
  custom: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
}, { additionalProperties: false });

export const InboundBody = Type.Object({
  customer: Type.String({ minLength: 1, maxLength: 512, description: 'The customer\'s address on the channel.' }),
  business: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'The business side; the channel\'s address when omitted.' })),
  messageId: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'The channel\'s own message id: a retried delivery of it is accepted once.' })),
  text: Type.Optional(Type.String({ maxLength: 65536 })),
  content: Type.Optional(ContentSchema),
  visitor: Type.Optional(Type.Record(Type.String(), Type.String())),
  context: Type.Optional(Context),
}, { additionalProperties: false });

export const ReplyBody = Type.Object({
  componentId: Id,
  authorKind: Type.Optional(Type.Union([Type.Literal('bot'), Type.Literal('agent'), Type.Literal('system')])),
  agentId: Type.Optional(Id),
  text: Type.Optional(Type.String({ maxLength: 65536 })),
  content: Type.Optional(ContentSchema),
  expectedVersion: Type.Optional(Version),
}, { additionalProperties: false });

export const HandoverBody = Type.Object({
  by: Type.Optional(Id),
  note: Type.Optional(Type.String({ maxLength: 8192 })),
  context: Type.Optional(Context),
  team: Type.Optional(Id),
  desk: Type.Optional(Id),
  expectedVersion: Type.Optional(Version),
}, { additionalProperties: false });

export const TakeoverBody = Type.Object({ by: Type.Optional(Id), agentId: Type.Optional(Id), expectedVersion: Type.Optional(Version) }, { additionalProperties: false });

const Position = Type.Object({ flow: Id, step: Id }, { additionalProperties: false });

export const HandbackBody = Type.Object({ by: Type.Optional(Id), position: Type.Optional(Position), expectedVersion: Type.Optional(Version) }, { additionalProperties: false });
export const PositionBody = Type.Object({ flow: Id, step: Id, by: Type.Optional(Id) }, { additionalProperties: false });
export const ResetBody = Type.Object({ by: Type.Optional(Id), expectedVersion: Type.Optional(Version) }, { additionalProperties: false });
export const CloseBody = Type.Object({
  scope: Type.Optional(Type.Union([Type.Literal('conversation'), Type.Literal('bot_session'), Type.Literal('agent_session')], { description: 'What to close; the whole conversation by default.' })),
  by: Type.Optional(Id),
  agentId: Type.Optional(Id),
  expectedVersion: Type.Optional(Version),
}, { additionalProperties: false });
export const MutationsBody = Type.Object({
  by: Type.Optional(Id),
  mutations: Type.Array(Type.Object({ componentId: Id, enabled: Type.Boolean() }, { additionalProperties: false }), { minItems: 1, maxItems: 20 }),
  context: Type.Optional(Context),
  expectedVersion: Type.Optional(Version),
}, { additionalProperties: false });
export const AssignBody = Type.Object({ agentId: Id, reassign: Type.Optional(Type.Boolean({ description: 'take it from the agent who holds it; without it, a conversation another agent holds is refused (409 conversation_taken)' })) }, { additionalProperties: false });
export const TransferBody = Type.Object({ team: Type.Union([Id, Type.Null()]) }, { additionalProperties: false });
export const DeferBody = Type.Object({ agentId: Type.Optional(Id) }, { additionalProperties: false });
export const PresenceBody = Type.Object({ presence: Type.Union([Type.Literal('online'), Type.Literal('away'), Type.Literal('offline')]) }, { additionalProperties: false });
export const EmergencyBody = Type.Object({
  on: Type.Boolean({ description: 'true: bots are disabled everywhere and everything goes to the humans; false: the switch ends' }),
  handBack: Type.Optional(Type.Union(HAND_BACK.map((v) => Type.Literal(v)), {
    description: 'only with `on: false`, what becomes of the conversations the switch handed to the humans. `tell_bots` (the default): each goes back to its bot, which is told (`handback`, reason `emergency_ended`), even one an agent took. `quietly`: each still waiting for an agent goes back to its bot without the bot being told, so it speaks when the customer next writes; one an agent took stays with that agent. `keep_with_agents`: all stay with the humans.',
  })),
}, { additionalProperties: false });

export const ConversationParams = Type.Object({ id: Id });
export const MessageParams = Type.Object({ messageId: Id });
export const MessageStatusBody = Type.Object({
  status: Type.Union([Type.Literal('delivered'), Type.Literal('read'), Type.Literal('failed')], { description: 'what became of the message on the channel' }),
  description: Type.Optional(Type.String({ maxLength: 1000, description: 'why it failed, in the channel\'s words' })),
}, { additionalProperties: false });
export const ChannelParams = Type.Object({ channelId: Id });
export const AgentParams = Type.Object({ agentId: Id });

export const EventsQuery = Type.Object({
  after: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'Return events with a sequence number above this.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});

export const ListQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])),
  team: Type.Optional(Id),
  controller: Type.Optional(Type.Union([Type.Literal('bot'), Type.Literal('desk'), Type.Literal('none')])),
  after: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
});

export const IdempotencyHeader = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Makes a retried call safe: the first result is returned again.' })),
});
