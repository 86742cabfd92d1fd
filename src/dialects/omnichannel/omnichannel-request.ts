import type { MessageContent } from '../../core/model.js';

/** The Interlocutor as the client server describes it (seed 004, "Visitor object"). */
export interface OmnichannelVisitor {
  id: string;
  /** `name`, `login`, `phone`, `email`, `site` and any other plain field the client sends. */
  fields: Record<string, string>;
}

/** A `new_message` Baton processes: who wrote, in which client chat, and what, read into core content. */
export interface OmnichannelMessage {
  /** The client server's chat id, in the type it was sent (the document says integer). */
  chatId: number | string;
  visitor: OmnichannelVisitor;
  /** The client's message id: a retried request with it is accepted once. */
  messageId: string;
  content: MessageContent;
}

/**
 * What a request to the channel webhook is, in the document's three outcomes: processed,
 * acknowledged but ignored (200: an unknown `event` or `kind`, a file that is not `ready` yet), or
 * refused (400: a required parameter is missing; 500: any other malformed body).
 */
export type OmnichannelRequest =
  | { kind: 'message'; message: OmnichannelMessage }
  | { kind: 'ignored'; reason: 'unknown_event' | 'unknown_kind' | 'file_not_ready'; detail: string }
  | { kind: 'invalid'; status: 400 | 500; detail: string };

const EVENT = 'new_message';
const KINDS = ['visitor', 'file_visitor', 'keyboard_response'];
const MAX_ID = 255;

type Json = Record<string, unknown>;

class Problem {
  constructor(
    readonly status: 400 | 500,
    readonly detail: string,
  ) {}
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function absent(v: unknown): v is null | undefined {
  return v === undefined || v === null;
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function object(parent: Json, key: string, path: string, why = ''): Json {
  const v = parent[key];
  if (absent(v)) throw new Problem(400, `${path} is required${why}`);
  if (!isObject(v)) throw new Problem(500, `${path} must be an object, not ${show(v)}`);
  return v;
}

function text(parent: Json, key: string, path: string, why = ''): string {
  const v = parent[key];
  if (absent(v)) throw new Problem(400, `${path} is required${why}`);
  if (typeof v !== 'string') throw new Problem(500, `${path} must be a string, not ${show(v)}`);
  return v;
}

/** Ids are strings in the document; clients that number them are taken at their word. */
function id(parent: Json, key: string, path: string, why = ''): string {
  const v = parent[key];
  if (absent(v)) throw new Problem(400, `${path} is required${why}`);
  const s = typeof v === 'string' ? v : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : null;
  if (s === null || s.length === 0 || s.length > MAX_ID) throw new Problem(500, `${path} must be a non-empty string of at most ${MAX_ID} characters, not ${show(v)}`);
  return s;
}

function chatIdOf(body: Json): number | string {
  const v = body.chat_id;
  if (absent(v)) throw new Problem(400, 'chat_id is required');
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && v.trim().length > 0 && v.length <= MAX_ID) return v;
  throw new Problem(500, `chat_id must be an integer (or a non-empty string), not ${show(v)}`);
}

function visitorOf(body: Json): OmnichannelVisitor {
  const visitor = object(body, 'visitor', 'visitor');
  const fields: Record<string, string> = {};
  if (!absent(visitor.fields)) {
    const raw = object(visitor, 'fields', 'visitor.fields');
    for (const [k, v] of Object.entries(raw)) {
      if (typeof v === 'string') fields[k] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') fields[k] = String(v);
      else if (!absent(v)) throw new Problem(500, `visitor.fields.${k} must be a string, not ${show(v)}`);
    }
  }
  return { id: id(visitor, 'id', 'visitor.id'), fields };
}

/** Seed 004: "the event will only be processed when state == ready", as `file:{type}|{id}|{url}`. */
function fileContent(message: Json): MessageContent | { notReady: string } {
  const why = ' when message.kind is "file_visitor"';
  const data = object(message, 'data', 'message.data', why);
  const state = text(data, 'state', 'message.data.state', why);
  if (state !== 'ready') return { notReady: `the file's state is ${show(state)}; a file is processed only when its state is "ready"` };
  const ready = ' when message.data.state is "ready"';
  const fileId = id(data, 'id', 'message.data.id', ready);
  const contentType = text(data, 'content_type', 'message.data.content_type', ready);
  const url = text(data, 'url', 'message.data.url', ready);
  const name = typeof data.name === 'string' && data.name ? { name: data.name } : {};
  return { type: 'text', text: `file:${contentType}|${fileId}|${url}`, media: { url, contentType, ...name } };
}

/** Seed 004: "Clicking the button comes as button label text." The button id rides along as the payload. */
function buttonContent(message: Json): MessageContent {
  const why = ' when message.kind is "keyboard_response"';
  const data = object(message, 'data', 'message.data', why);
  const button = object(data, 'button', 'message.data.button', why);
  const label = text(button, 'text', 'message.data.button.text', why);
  const buttonId = absent(button.id) ? label : id(button, 'id', 'message.data.button.id');
  return { type: 'text', text: label, postback: { payload: buttonId, title: label } };
}

/**
 * Reads a request from the client server (seed 004, "General request structure"). The event is
 * looked at first: an event Baton does not process is acknowledged whatever else the body holds.
 *
 * @example parseOmnichannelRequest({ event: 'new_message', chat_id: 7, visitor: { id: 'v1' }, message: { id: 'm1', kind: 'visitor', text: 'hi' } })
 */
export function parseOmnichannelRequest(raw: unknown): OmnichannelRequest {
  try {
    if (!isObject(raw)) throw new Problem(500, `the body must be a JSON object, not ${show(raw)}`);
    const event = raw.event;
    if (absent(event)) throw new Problem(400, 'event is required');
    if (event !== EVENT) return { kind: 'ignored', reason: 'unknown_event', detail: `event ${show(event)} is not processed; only "${EVENT}" is` };
    const chatId = chatIdOf(raw);
    const visitor = visitorOf(raw);
    const message = object(raw, 'message', 'message');
    const messageId = id(message, 'id', 'message.id');
    const kind = message.kind;
    if (absent(kind)) throw new Problem(400, 'message.kind is required');
    if (typeof kind !== 'string' || !KINDS.includes(kind)) {
      return { kind: 'ignored', reason: 'unknown_kind', detail: `message.kind ${show(kind)} is not processed; the kinds are ${KINDS.join(', ')}` };
    }
    let content: MessageContent;
    if (kind === 'visitor') {
      content = { type: 'text', text: text(message, 'text', 'message.text', ' when message.kind is "visitor"') };
    } else if (kind === 'file_visitor') {
      const file = fileContent(message);
      if ('notReady' in file) return { kind: 'ignored', reason: 'file_not_ready', detail: file.notReady };
      content = file;
    } else {
      content = buttonContent(message);
    }
    return { kind: 'message', message: { chatId, visitor, messageId, content } };
  } catch (err) {
    if (err instanceof Problem) return { kind: 'invalid', status: err.status, detail: err.detail };
    throw err;
  }
}
