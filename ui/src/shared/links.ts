/**
 * A URL someone else wrote (a customer's or a bot's media link) is a link only when it is http(s):
 * a `javascript:` or `data:` URL, or one that does not parse, is shown as text. The page's policy
 * would stop such a click too; this keeps it from looking like a link at all.
 */
export function linkable(url: string): string | null {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/** A run of a message's text: plain, or an http(s) URL to show as a link. */
export type TextPart = { text: string; url?: undefined } | { text: string; url: string };

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"]+/gi;
/** Punctuation that ends a sentence rather than the URL ("see https://x.example/a."). */
const TRAILING = /[.,;:!?'"»”’]+$/;

function trimUrl(raw: string): string {
  let url = raw.replace(TRAILING, '');
  // A closing bracket belongs to the URL only when the URL opened one (Wikipedia's "Foo_(bar)").
  while (/[)\]]$/.test(url) && (url.match(/[([]/g)?.length ?? 0) < (url.match(/[)\]]/g)?.length ?? 0)) url = url.slice(0, -1).replace(TRAILING, '');
  return url;
}

/**
 * A message's text cut into plain runs and http(s) URLs; nothing else becomes a link (no
 * `javascript:`, no bare domains, no e-mail addresses).
 *
 * @example linkParts('see https://example.com/a.') // => [{ text: 'see ' }, { text: 'https://example.com/a', url: 'https://example.com/a' }, { text: '.' }]
 */
export function linkParts(text: string): TextPart[] {
  const out: TextPart[] = [];
  let at = 0;
  for (const m of text.matchAll(URL_IN_TEXT)) {
    const url = trimUrl(m[0]);
    const href = linkable(url);
    if (!href) continue;
    if (m.index > at) out.push({ text: text.slice(at, m.index) });
    out.push({ text: url, url: href });
    at = m.index + url.length;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}
