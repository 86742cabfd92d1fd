import type { MessageContent } from '../../core/model.js';
import { bmContent } from './bm-content.js';

type Json = Record<string, unknown>;

/**
 * One `msg` of a Business Messaging request, read: sendable, or with the reason it cannot be sent
 * at all (the gateway's own message error codes: 301 from, 302 to, 304 body).
 */
export type BmMessage = { to: string[]; reference: string | null; allowedChannels: string[] } & (
  | { ok: true; from: string; content: MessageContent }
  | { ok: false; code: 301 | 302 | 304; details: string }
);

export type BmEnvelope =
  | { ok: true; productToken: string | null; msg: unknown }
  | { ok: false; errorCode: 202; details: string };

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * CM's gateway reads JSON keys without regard to case: its documents write `producttoken`, its
 * Node SDK sends `productToken`. So does Baton.
 */
function field(obj: Json | undefined, name: string): unknown {
  if (!obj) return undefined;
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : null;
}

function readMsg(raw: unknown): BmMessage {
  const msg = isObject(raw) ? raw : {};
  const from = text(field(msg, 'from'));
  const toField = field(msg, 'to');
  const to = (Array.isArray(toField) ? toField : []).map((t) => text(isObject(t) ? field(t, 'number') : t)).filter((t): t is string => t !== null);
  const body = field(msg, 'body');
  const rich = field(msg, 'richContent');
  const allowed = field(msg, 'allowedChannels');
  const allowedChannels = Array.isArray(allowed) ? allowed.filter((c): c is string => typeof c === 'string') : [];
  const reference = text(field(msg, 'reference'));
  const content = bmContent(text(isObject(body) ? field(body, 'content') : body) ?? undefined, isObject(rich) ? rich : undefined, allowedChannels, reference);
  const common = { to, reference, allowedChannels };
  if (!from) return { ...common, ok: false, code: 301, details: 'No from field found in the msg: set from to the to.number of the MO you answer.' };
  if (to.length === 0) return { ...common, ok: false, code: 302, details: 'No phone numbers found in to: set to to [{ "number": <the from.number of the MO you answer> }].' };
  if (!content) return { ...common, ok: false, code: 304, details: 'A body without content was found.' };
  return { ...common, ok: true, from, content };
}

/**
 * Reads a Business Messaging request's envelope (`{"messages": {"authentication": {"producttoken"},
 * "msg": [...]}}`); a broken one refuses the whole request (CM errorCode 202, malformed). The token
 * may also come as the `X-CM-PRODUCTTOKEN` header, as CM's newer APIs take it.
 */
export function readBmEnvelope(raw: unknown, headerToken: string | undefined): BmEnvelope {
  const messages = isObject(raw) ? field(raw, 'messages') : undefined;
  if (!isObject(messages)) return { ok: false, errorCode: 202, details: 'The request is malformed: expected {"messages": {"authentication": {"producttoken": …}, "msg": [...]}}.' };
  const auth = field(messages, 'authentication');
  const productToken = text(isObject(auth) ? field(auth, 'producttoken') : undefined) ?? headerToken ?? null;
  return { ok: true, productToken, msg: field(messages, 'msg') };
}

/**
 * The `msg` array, read. A broken array refuses the request (CM errorCode 203); a broken message is
 * refused on its own and the others still go, as CM's JSON gateway does. Null: no usable array.
 */
export function readBmMessages(msg: unknown): BmMessage[] | null {
  return Array.isArray(msg) && msg.length > 0 ? msg.map(readMsg) : null;
}
