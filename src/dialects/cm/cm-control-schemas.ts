import Type from 'typebox';

/** Every chatId Baton derives is a UUID (DESIGN.md section 4). */
const ChatId = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$', description: 'The chat\'s id, as the MO\'s conversationalRouter.chatId gave it' });
const Context = Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], { description: 'Values matched exactly against the values configured on the account\'s teams' });

export const MutationsBody = Type.Object({
  ChatId,
  Mutations: Type.Array(Type.Object({
    $type: Type.String({ description: 'enableComponent or disableComponent' }),
    ComponentId: Type.String({ minLength: 1 }),
  }), { minItems: 1 }),
  Context: Type.Optional(Context),
});

export const PositionRequestBody = Type.Object({
  ChatId,
  FlowId: Type.String({ minLength: 1 }),
  StepId: Type.String({ minLength: 1 }),
});

export const AccountParams = Type.Object({ accountId: Type.String() });
export const ResetParams = Type.Object({ accountId: Type.String(), chatId: ChatId });

const CANONICAL = ['ChatId', 'Mutations', 'Context', 'FlowId', 'StepId', '$type', 'ComponentId'];

/**
 * The Bot Router is a .NET service (`$type` is Json.NET's type tag) and reads keys without regard
 * to case; so does Baton: `chatId` or `chatid` becomes the documented `ChatId` before validation.
 */
export function canonicalKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const name = CANONICAL.find((c) => c.toLowerCase() === k.toLowerCase()) ?? k;
    // Context values are the caller's own: their keys stay as they were sent.
    out[name] = name === 'Context' ? v : canonicalKeys(v);
  }
  return out;
}
