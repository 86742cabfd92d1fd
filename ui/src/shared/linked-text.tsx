import { linkParts } from './links.js';

/** Text with its http(s) URLs as links that open in a new tab and tell the site nothing of the page. */
export function LinkedText({ text }: { text: string }) {
  return (
    <>
      {linkParts(text).map((p, i) => (p.url
        ? <a key={i} href={p.url} target="_blank" rel="noopener noreferrer">{p.text}</a>
        : p.text))}
    </>
  );
}
