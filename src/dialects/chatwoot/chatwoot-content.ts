import type { Message, MessageContent } from '../../core/model.js';

/** A message's body as Chatwoot words it: `content`, `content_type`, `content_attributes`, attachments. */
export interface ChatwootContent {
  content: string | null;
  content_type: string;
  content_attributes: Record<string, unknown>;
  attachments: Record<string, unknown>[];
}

function fileType(contentType: string | undefined): string {
  const major = contentType?.split('/')[0];
  return major === 'image' || major === 'audio' || major === 'video' ? major : 'file';
}

/** What a Chatwoot client sent beside the text (cards, forms, articles), kept for the way back. */
function kept(c: MessageContent): { content_type: string; content_attributes: Record<string, unknown> } | null {
  const cw = c.channelData?.chatwoot as { content_type?: unknown; content_attributes?: unknown } | undefined;
  if (!cw || typeof cw.content_type !== 'string') return null;
  const attrs = cw.content_attributes && typeof cw.content_attributes === 'object' ? (cw.content_attributes as Record<string, unknown>) : {};
  return { content_type: cw.content_type, content_attributes: attrs };
}

/**
 * Buttons are Chatwoot's `input_select` with `items` of `{title, value}`; a button pressed comes
 * back as the customer's text with the item in `submitted_values` (what its widget submits).
 */
export function chatwootContent(m: Message): ChatwootContent {
  const c = m.content;
  const own = kept(c);
  if (own) return { content: c.text ?? null, ...own, attachments: [] };
  if (c.type === 'postback' && c.postback) {
    const title = c.postback.title ?? c.postback.payload;
    return { content: title, content_type: 'text', content_attributes: { submitted_values: [{ title, value: c.postback.payload }] }, attachments: [] };
  }
  if (c.type === 'media' && c.media) {
    const attachment = { id: null, message_id: null, file_type: fileType(c.media.contentType), data_url: c.media.url, thumb_url: '', ...(c.media.name ? { file_name: c.media.name } : {}) };
    return { content: c.text ?? null, content_type: 'text', content_attributes: {}, attachments: [attachment] };
  }
  if (c.buttons && c.buttons.length > 0) {
    const items = c.buttons.map((b) => ({ title: b.title, value: b.payload ?? b.id ?? b.title }));
    return { content: c.text ?? null, content_type: 'input_select', content_attributes: { items }, attachments: [] };
  }
  return { content: c.text ?? null, content_type: 'text', content_attributes: {}, attachments: [] };
}

/**
 * A message a Chatwoot client posts, as Baton content: `input_select` items become buttons;
 * other rich types (cards, forms, articles) travel as text with what the client sent kept in
 * `channelData.chatwoot`, so a Chatwoot reader gets them back as they were.
 */
export function batonContent(text: string, contentType: string, attrs: Record<string, unknown>): MessageContent {
  if (contentType === 'input_select' && Array.isArray(attrs.items)) {
    const buttons = attrs.items.flatMap((i: unknown) => {
      const item = i as { title?: unknown; value?: unknown };
      return typeof item?.title === 'string' ? [{ title: item.title, payload: typeof item.value === 'string' ? item.value : item.title }] : [];
    });
    return { type: 'text', text, buttons };
  }
  if (contentType !== 'text') return { type: 'text', text, channelData: { chatwoot: { content_type: contentType, content_attributes: attrs } } };
  return { type: 'text', text };
}
