import { isUtf8 } from 'node:buffer';
import { BatonError } from '../core/errors.js';

/** A file part of a multipart form: what it is, never its bytes (Baton stores no uploads). */
export interface FormFile {
  field: string;
  filename: string;
  contentType: string | null;
  size: number;
}

export interface FormData {
  /** Text fields; a name sent several times keeps every value in order. No prototype: `__proto__` is a name like any other. */
  fields: Record<string, string | string[]>;
  files: FormFile[];
}

function bad(why: string): BatonError {
  return new BatonError('bad_request', `The multipart/form-data body cannot be read: ${why}.`);
}

/** The boundary of a `multipart/form-data` Content-Type (RFC 7578), quoted or not. */
export function multipartBoundary(contentType: string | undefined): string {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType ?? '');
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw bad('its Content-Type names no boundary');
  return boundary;
}

function disposition(headers: string): { name: string; filename: string | null } {
  const line = headers.split('\r\n').find((h) => /^content-disposition:/i.test(h));
  const name = line && /;\s*name="([^"]*)"/i.exec(line)?.[1];
  if (!line || name === undefined || name === null) throw bad('a part has no Content-Disposition name');
  const filename = /;\s*filename="([^"]*)"/i.exec(line)?.[1] ?? null;
  return { name, filename };
}

function add(fields: Record<string, string | string[]>, name: string, value: string): void {
  const prev = fields[name];
  if (prev === undefined) fields[name] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else fields[name] = [prev, value];
}

/**
 * The parts of a `multipart/form-data` body (RFC 7578), as HTTP clients send forms with files.
 * Text fields must be UTF-8: a bad byte is refused, never replaced, as everywhere in Baton.
 * Files are reported by name, type and size only.
 *
 * @example multipartFields(body, 'multipart/form-data; boundary=X').fields.content // 'hello'
 */
export function multipartFields(body: Buffer, contentType: string | undefined): FormData {
  const delimiter = Buffer.from(`--${multipartBoundary(contentType)}`);
  const out: FormData = { fields: Object.create(null) as Record<string, string | string[]>, files: [] };
  let at = body.indexOf(delimiter);
  if (at < 0) throw bad('the boundary does not occur in it');
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString('latin1') === '--') return out;
    if (body.subarray(at, at + 2).toString('latin1') !== '\r\n') throw bad('a boundary is not followed by a line break');
    const start = at + 2;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), start);
    if (next < 0) throw bad('its last part is not closed by the boundary');
    const part = body.subarray(start, next);
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) throw bad('a part has no blank line after its headers');
    const head = part.subarray(0, split);
    if (!isUtf8(head)) throw bad('a part\'s headers are not UTF-8');
    const { name, filename } = disposition(head.toString('utf8'));
    const value = part.subarray(split + 4);
    if (filename !== null) {
      const type = /^content-type:\s*(.+)$/im.exec(head.toString('utf8'))?.[1]?.trim() ?? null;
      out.files.push({ field: name, filename, contentType: type, size: value.length });
    } else {
      if (!isUtf8(value)) throw bad(`the field ${name} is not UTF-8`);
      add(out.fields, name, value.toString('utf8'));
    }
    at = next + 2;
  }
}

/** A form value: `+` is a space, and a percent-encoding that is not UTF-8 is refused rather than turned into U+FFFD. */
function formText(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new BatonError('bad_request', 'The form body is not percent-encoded UTF-8.');
  }
}

/** The fields of an `application/x-www-form-urlencoded` body, UTF-8 only. */
export function urlEncodedFields(body: Buffer): Record<string, string | string[]> {
  if (!isUtf8(body)) throw new BatonError('bad_request', 'The form body is not UTF-8.');
  const out: Record<string, string | string[]> = Object.create(null);
  for (const pair of body.toString('utf8').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    add(out, formText(eq < 0 ? pair : pair.slice(0, eq)), eq < 0 ? '' : formText(pair.slice(eq + 1)));
  }
  return out;
}
