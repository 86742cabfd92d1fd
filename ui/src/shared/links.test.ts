import { describe, expect, it } from 'vitest';
import { linkable, linkParts } from './links.js';

describe('which media URLs are rendered as links', () => {
  it('takes http and https URLs only', () => {
    expect(linkable('https://cdn.example.com/a.pdf')).toBe('https://cdn.example.com/a.pdf');
    expect(linkable('http://cdn.example.com/a.png')).toBe('http://cdn.example.com/a.png');
    for (const url of ['javascript:alert(1)', ' JavaScript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', 'file:///etc/passwd', '//evil.example.com/x', '/relative', 'not a url', '']) {
      expect(linkable(url), url).toBeNull();
    }
  });
});

describe('links in message text', () => {
  it('cuts http(s) URLs out of the text, leaving the sentence\'s punctuation outside', () => {
    expect(linkParts('see https://example.com/a. Thanks')).toEqual([{ text: 'see ' }, { text: 'https://example.com/a', url: 'https://example.com/a' }, { text: '. Thanks' }]);
    expect(linkParts('(at http://x.example/p?q=1)')).toEqual([{ text: '(at ' }, { text: 'http://x.example/p?q=1', url: 'http://x.example/p?q=1' }, { text: ')' }]);
    expect(linkParts('https://en.wikipedia.org/wiki/Foo_(bar)')).toEqual([{ text: 'https://en.wikipedia.org/wiki/Foo_(bar)', url: 'https://en.wikipedia.org/wiki/Foo_(bar)' }]);
    expect(linkParts('two: https://a.example, https://b.example!')).toEqual([
      { text: 'two: ' }, { text: 'https://a.example', url: 'https://a.example' }, { text: ', ' }, { text: 'https://b.example', url: 'https://b.example' }, { text: '!' },
    ]);
  });

  it('makes nothing else a link', () => {
    for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'www.example.com', 'mail me@example.com', 'ftp://files.example.com/x', 'plain words']) {
      expect(linkParts(text), text).toEqual([{ text }]);
    }
    expect(linkParts('')).toEqual([]);
  });
});
