import Type, { type Static } from 'typebox';
import { CHANNEL_KINDS, COMPONENT_DIALECTS } from '../dialects/index.js';
import { PASSWORD_MIN_LENGTH } from '../inbox/passwords.js';

/** `baton.yaml`, as one schema: validation, types and the documentation of every key. */
const Duration = Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^\\d+(ms|s|m|h|d)$' })], { description: 'milliseconds, or a string such as 500ms, 30s, 10m, 2h, 1d' });
const StringMap = Type.Record(Type.String(), Type.String());

const Conditions = Type.Object({
  textPattern: Type.Optional(Type.String()),
  visitor: Type.Optional(StringMap),
  context: Type.Optional(StringMap),
  businessHours: Type.Optional(Type.Object({
    timezone: Type.String(),
    days: Type.Array(Type.Union(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => Type.Literal(d)))),
    from: Type.String({ pattern: '^\\d{2}:\\d{2}$' }),
    to: Type.String({ pattern: '^\\d{2}:\\d{2}$' }),
  }, { additionalProperties: false })),
  outsideHours: Type.Optional(Type.Boolean()),
  trustVisitorFields: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'visitor fields this rule takes as given even when a web chat visitor typed them' })),
}, { additionalProperties: false });

const Rule = Type.Object({
  id: Type.String({ minLength: 1 }),
  trigger: Type.Object({
    event: Type.Union([Type.Literal('message'), Type.Literal('handover')]),
    channels: Type.Optional(Type.Array(Type.String())),
    conditions: Type.Optional(Conditions),
  }, { additionalProperties: false }),
  action: Type.Object({
    type: Type.Union([Type.Literal('bot'), Type.Literal('desk'), Type.Literal('bot+desk')]),
    bot: Type.Optional(Type.String()),
    desk: Type.Optional(Type.String()),
    team: Type.Optional(Type.String()),
  }, { additionalProperties: false }),
}, { additionalProperties: false });

const Retry = Type.Object({
  schedule: Type.Optional(Type.Array(Duration)),
  timeout: Type.Optional(Duration),
  breakAfter: Type.Optional(Type.Integer({ minimum: 0 })),
  jitter: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  onExhausted: Type.Optional(Type.Union([Type.Literal('block'), Type.Literal('skip')])),
}, { additionalProperties: false });

const Widget = Type.Object({
  color: Type.Optional(Type.String({ description: 'the button and header colour, six hex digits (#4338ca); white text on it must reach 4.5:1' })),
  greeting: Type.Optional(Type.String({ maxLength: 300, description: 'the first line the chat shows before the visitor writes, plain text' })),
  position: Type.Optional(Type.Union([Type.Literal('bottom-right'), Type.Literal('bottom-left')], { description: 'the corner the chat button sits in (bottom-right by default)' })),
}, { additionalProperties: false, description: 'web chat channels only: how the widget and chat page look; a field set here is read-only on the admin page' });

const Channel = Type.Object({
  id: Type.String({ minLength: 1 }),
  kind: Type.Union(CHANNEL_KINDS.map((k) => Type.Literal(k)), { description: 'the dialect that serves the channel' }),
  address: Type.Optional(Type.String()),
  outboundUrl: Type.Optional(Type.String()),
  credentials: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'the channel\'s tokens; each dialect documents its keys (DialectModule.settings.credentials)' })),
  realtime: Type.Optional(Type.Boolean()),
  defaultCategories: Type.Optional(Type.Array(Type.String())),
  active: Type.Optional(Type.Boolean()),
  retry: Type.Optional(Retry),
  imiChannel: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'the channel as IMI bots see it in `Channel` (FB, WA, ...); the channel id otherwise' })),
  widget: Type.Optional(Widget),
}, { additionalProperties: false });

const Component = Type.Object({
  id: Type.String({ minLength: 1 }),
  kind: Type.Union([Type.Literal('bot'), Type.Literal('desk')]),
  dialect: Type.Optional(Type.Union(COMPONENT_DIALECTS.map((d) => Type.Literal(d)), { description: 'the protocol Baton speaks with it; native by default' })),
  url: Type.Optional(Type.String()),
  secrets: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'the component\'s tokens; each dialect documents its keys (DialectModule.settings.secrets)' })),
  retry: Type.Optional(Retry),
  flows: Type.Optional(Type.Array(Type.Object({ id: Type.String(), steps: Type.Array(Type.String()) }, { additionalProperties: false }))),
  options: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  events: Type.Optional(Type.Array(Type.String({ minLength: 1, pattern: '^(\\*|[a-z_]+(\\.[a-z_]+)*(\\.\\*)?)$' }), { description: 'the event types this component receives: names such as message.received, a family such as conversation.*, or * for all; without it, all but widget.opened (a Chatwoot bot: all)' })),
}, { additionalProperties: false });

const Service = Type.Object({
  id: Type.String({ minLength: 1 }),
  channels: Type.Array(Type.String()),
  rules: Type.Array(Rule),
}, { additionalProperties: false });

const Agent = Type.Object({
  id: Type.String({ minLength: 1 }),
  name: Type.Optional(Type.String()),
  password: Type.Optional(Type.String({ minLength: PASSWORD_MIN_LENGTH })),
  teams: Type.Optional(Type.Array(Type.String())),
  categories: Type.Optional(Type.Array(Type.String(), { description: 'the categories (Engage skills) the agent holds; handed-over conversations go to those holding the account\'s agent category; none listed: all' })),
  sources: Type.Optional(Type.Array(Type.String(), { description: 'the channels (Engage sources) the agent may read and reply on; all when absent' })),
  admin: Type.Optional(Type.Boolean({ description: 'may use the inbox admin pages' })),
}, { additionalProperties: false });

const Period = (what: string) => Type.Optional(Type.String({ description: `${what}: a whole number of minutes, hours or days (30m, 12h, 90d), or keep (for ever)` }));

const Retention = Type.Object({
  closedConversations: Period('how long a closed conversation with no activity is kept, then deleted whole (default keep)'),
  deliveries: Period('how long a delivered delivery and its attempts are kept; the events stay (default 30d)'),
  idempotencyKeys: Period('how long an Idempotency-Key answers a retry with the first answer (default 24h)'),
  audit: Period('how long audit log lines are kept (default keep)'),
}, { additionalProperties: false });

const Files = Type.Object({
  maxSize: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.String()], { description: 'the most one uploaded file may weigh: bytes, or 512KB, 10MB (default 10MB, at most 100MB)' })),
}, { additionalProperties: false });

const Account = Type.Object({
  id: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9._-]+$' }),
  name: Type.Optional(Type.String()),
  apiKeys: Type.Optional(Type.Array(Type.String({ minLength: 16 }))),
  reopenPolicy: Type.Optional(Type.Union([Type.Literal('agent-first'), Type.Literal('bot-first')])),
  threadInclusionDelay: Type.Optional(Duration),
  availability: Type.Optional(Type.Object({
    policy: Type.Union([Type.Literal('queue'), Type.Literal('keep-bot')]),
    wait: Type.Optional(Duration),
  }, { additionalProperties: false })),
  defaultDesk: Type.Optional(Type.String()),
  botFailover: Type.Optional(Type.Object({
    policy: Type.Optional(Type.Union([Type.Literal('handover'), Type.Literal('notify'), Type.Literal('wait')], { description: 'what a conversation does when its bot cannot take a customer message: to the humans, a bot.unavailable event, or nothing; by default handover when the rule has a desk, notify otherwise' })),
    after: Type.Optional(Duration),
  }, { additionalProperties: false })),
  teams: Type.Optional(Type.Array(Type.Object({ id: Type.String(), values: Type.Optional(Type.Array(Type.String())) }, { additionalProperties: false }))),
  categories: Type.Optional(Type.Object({ bot: Type.String(), agent: Type.String() }, { additionalProperties: false })),
  channels: Type.Optional(Type.Array(Channel)),
  components: Type.Optional(Type.Array(Component)),
  services: Type.Optional(Type.Array(Service)),
  agents: Type.Optional(Type.Array(Agent)),
  retention: Type.Optional(Retention),
  files: Type.Optional(Files),
}, { additionalProperties: false });

export const BatonConfigSchema = Type.Object({
  /** For every account without a `files:` block of its own. */
  files: Type.Optional(Files),
  accounts: Type.Array(Account),
}, { additionalProperties: false });

export type BatonConfig = Static<typeof BatonConfigSchema>;
export type AccountConfig = Static<typeof Account>;
export type RetentionConfig = Static<typeof Retention>;
export type FilesConfig = Static<typeof Files>;
export type RetryConfig = Static<typeof Retry>;
