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
