import type { MessageContent } from '../../core/model.js';

/**
 * What a Business Messaging message carries that Baton's content model has no field for: kept
 * under `custom.cm`, so a `cm` channel can pass it on to CM's gateway unchanged.
 */
export interface CmExtras {
  allowedChannels?: string[];
  richContent?: Record<string, unknown>;
  /** The sender's own Business Messaging `reference`: CM's status reports are correlated on it. */
  reference?: string;
}

export function cmExtras(content: MessageContent): CmExtras {
  const cm = content.custom?.cm;
  return typeof cm === 'object' && cm !== null ? (cm as CmExtras) : {};
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/**
 * A Business Messaging message's body and rich content as Baton content: `body.content` is the
 * text; the first rich `media` makes it a media message; reply suggestions become buttons.
 * Null when nothing would reach the customer (CM: "A body without content was found").
 */
export function bmContent(text: string | undefined, richContent: Json | undefined, allowedChannels: string[] | undefined, reference?: string | null): MessageContent | null {
  const parts = Array.isArray(richContent?.conversation) ? richContent.conversation.filter(isObject) : [];
  const richText = parts.map((p) => str(p.text)).find((t) => t !== undefined);
  const media = parts.map((p) => p.media).find(isObject);
  const mediaUri = str(media?.mediaUri);
  const suggestions = Array.isArray(richContent?.suggestions) ? richContent.suggestions.filter(isObject) : [];
  const buttons = suggestions.flatMap((s) => {
    const title = str(s.label);
    const payload = str(s.postbackdata);
    return title ? [{ title, ...(payload ? { payload } : {}) }] : [];
  });
  const body = text ?? richText;
  let content: MessageContent;
  if (mediaUri) {
    const name = str(media?.mediaName);
    const contentType = str(media?.mimeType);
    content = { type: 'media', media: { url: mediaUri, ...(contentType ? { contentType } : {}), ...(name ? { name } : {}) }, ...(body ? { text: body } : {}) };
  } else if (body) {
    content = { type: 'text', text: body };
  } else {
    return null;
  }
  if (buttons.length > 0) content.buttons = buttons;
  const extras: CmExtras = { ...(allowedChannels && allowedChannels.length > 0 ? { allowedChannels } : {}), ...(richContent ? { richContent } : {}), ...(reference ? { reference } : {}) };
  if (Object.keys(extras).length > 0) content.custom = { cm: extras };
  return content;
}
