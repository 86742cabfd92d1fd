import type { MessageContent } from '../../core/model.js';

/**
 * The `message` of one `/send_message` call. Seed 004's inbound side is Webim's External Bot API
 * 2.0 (`new_message`, `visitor`, `file_visitor`, `keyboard_response`, `Authorization: Token`), so
 * client servers speak that protocol; the seed gives the outbound call no body, so Baton sends
 * that protocol's bot messages.
 */
export type WebimMessage =
  | { kind: 'operator'; text: string }
  | { kind: 'file_operator'; data: { url: string; name: string; media_type: string } }
  | { kind: 'keyboard'; buttons: WebimButton[][] };

/** A press comes back as `keyboard_response` with this `id` and `text` (seed 004). */
export interface WebimButton {
  id: string;
  text: string;
}

/** What a file with no type is (RFC 2046): the client server gets a type it can always handle. */
const UNKNOWN_MEDIA_TYPE = 'application/octet-stream';

/** The file's own name, else the last segment of its link, as a browser would save it. */
function fileName(url: string, name: string | undefined): string {
  if (name) return name;
  try {
    const last = new URL(url).pathname.split('/').filter(Boolean).at(-1);
    if (last) return decodeURIComponent(last);
  } catch {
    // Not a URL, or a segment that is not valid percent-encoding: the link itself names it.
  }
  return url;
}

/**
 * One Baton message as Webim messages, in the order they are to be shown:
 *
 * - a file first as `file_operator` (seed 004: files go "as links", and `data.url` is the link),
 *   then its caption as `operator`: when not everything can go, the file is what matters;
 * - text (a postback's title or payload when it has none) as `operator`, never cut (over 1000
 *   characters "at the discretion of the channel");
 * - buttons last, as one `keyboard`, one button per row (Baton's buttons are a list, not a grid).
 *   A button's id is what the bot wants back: its payload, else its id, else its label.
 *
 * A `custom` content has no Webim kind: only its text and buttons go. Empty text is no message.
 *
 * @example
 * webimMessages({ type: 'text', text: 'Which plan?', buttons: [{ title: 'Basic', payload: 'B' }] })
 * // [{ kind: 'operator', text: 'Which plan?' }, { kind: 'keyboard', buttons: [[{ id: 'B', text: 'Basic' }]] }]
 */
export function webimMessages(content: MessageContent): WebimMessage[] {
  const out: WebimMessage[] = [];
  if (content.type === 'media' && content.media) {
    const m = content.media;
    out.push({ kind: 'file_operator', data: { url: m.url, name: fileName(m.url, m.name), media_type: m.contentType ?? UNKNOWN_MEDIA_TYPE } });
  }
  const text = content.type === 'media' || content.type === 'custom' ? content.text : content.text ?? content.postback?.title ?? content.postback?.payload;
  if (text) out.push({ kind: 'operator', text });
  const buttons = content.buttons ?? [];
  if (buttons.length > 0) out.push({ kind: 'keyboard', buttons: buttons.map((b) => [{ id: b.payload ?? b.id ?? b.title, text: b.title }]) });
  return out;
}
