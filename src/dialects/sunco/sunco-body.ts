import { BatonError } from '../../core/errors.js';
import type { MessageContent } from '../../core/model.js';

/** What the switchboard actions and messages take, checked before anything changes. */

const METADATA_LIMIT = 4096;

function fail(message: string): never {
  throw new BatonError('validation_failed', message);
}

export function objectBody(body: unknown, required: boolean): Record<string, unknown> {
  // No body at all (the parser gives undefined) is allowed where the document allows it; a JSON
  // `null` or `""` is a body, and not an object.
  if (body === undefined) {
    if (required) fail('The request body must be a JSON object.');
    return {};
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) fail('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

/** "Flat object containing custom properties. Strings, numbers and booleans ... limited to 4KB." */
export function metadataOf(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const m = body.metadata;
  if (m === undefined || m === null) return undefined;
  if (typeof m !== 'object' || Array.isArray(m)) fail('metadata: must be a flat object.');
  for (const [key, value] of Object.entries(m)) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) fail(`metadata.${key}: only strings, numbers and booleans may be passed in metadata.`);
  }
  if (Buffer.byteLength(JSON.stringify(m)) > METADATA_LIMIT) fail('metadata: is limited to 4KB in size.');
  return m as Record<string, unknown>;
}

export function requiredString(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (typeof v !== 'string' || v === '') fail(`${key}: is required, as a non-empty string.`);
  return v;
}

/** Baton's addition to offerControl: `deadline`, an ISO 8601 instant, and what happens at it (`fallback`). */
export function offerTerms(body: Record<string, unknown>): { deadline?: string; fallback?: string } {
  const out: { deadline?: string; fallback?: string } = {};
  if (body.deadline !== undefined) {
    const t = typeof body.deadline === 'string' ? Date.parse(body.deadline) : NaN;
    if (Number.isNaN(t)) fail('deadline: must be an ISO 8601 date-time, like 2020-09-30T15:14:29.834Z.');
    out.deadline = new Date(t).toISOString();
  }
  if (body.fallback !== undefined) {
    if (out.deadline === undefined) fail('fallback: only an offer with a deadline has one.');
    out.fallback = requiredString(body, 'fallback');
  }
  return out;
}

function media(content: Record<string, unknown>, type: string): MessageContent {
  const url = requiredString(content, 'mediaUrl');
  if (!/^https?:\/\//i.test(url)) fail(`content.mediaUrl: must be an http(s) URL.`);
  const contentType = typeof content.mediaType === 'string' ? content.mediaType : type === 'image' ? 'image/*' : undefined;
  const name = typeof content.altText === 'string' ? content.altText : undefined;
  const text = typeof content.text === 'string' ? content.text : undefined;
  return { type: 'media', media: { url, ...(contentType ? { contentType } : {}), ...(name ? { name } : {}) }, ...(text ? { text } : {}) };
}

/** The document's message types besides text, image and file: they travel as they are. */
const OTHER_TYPES: ReadonlySet<string> = new Set(['text', 'carousel', 'list', 'location', 'form', 'formResponse', 'template']);

/**
 * A message a business posts (`messagePost`): `author.type` must be `business` (a customer writes
 * on their own channel), text (with reply and postback actions as buttons), image and file map to
 * Baton's contents; the document's other types travel as they are.
 */
export function messagePost(raw: unknown): MessageContent {
  const body = objectBody(raw, true);
  const author = body.author;
  if (!author || typeof author !== 'object' || Array.isArray(author)) fail('author: is required.');
  const type = (author as Record<string, unknown>).type;
  if (type !== 'business') fail(`author.type: must be business; ${type === 'user' ? 'a user\'s messages come from their channel' : 'the author type is business or user'}.`);
  const content = body.content;
  if (!content || typeof content !== 'object' || Array.isArray(content)) fail('content: is required.');
  const c = content as Record<string, unknown>;
  const kind = c.type ?? 'text';
  if (typeof kind !== 'string') fail('content.type: must be a string.');
  if (kind === 'image' || kind === 'file') return media(c, kind);
  if (!OTHER_TYPES.has(kind)) fail(`content.type: ${kind.length > 40 ? `${kind.slice(0, 40)}…` : kind} is not a message type; the document's are image, file, ${[...OTHER_TYPES].join(', ')}.`);
  if (kind !== 'text') return { type: 'custom', custom: { ...c, type: kind } };
  const text = typeof c.text === 'string' ? c.text : '';
  if (text.length > 4096) fail('content.text: is limited to 4096 characters.');
  const actions = Array.isArray(c.actions) ? c.actions : [];
  if (text === '' && actions.length === 0) fail('content.text: is required unless actions are given.');
  const buttons = actions.map((a, i) => {
    const action = a && typeof a === 'object' ? (a as Record<string, unknown>) : fail(`content.actions[${i}]: must be an object.`);
    const title = typeof action.text === 'string' && action.text ? action.text : fail(`content.actions[${i}].text: is required.`);
    return { title, ...(typeof action.payload === 'string' ? { payload: action.payload } : {}) };
  });
  return { type: 'text', text, ...(buttons.length > 0 ? { buttons } : {}) };
}
