import { describe, expect, it } from 'vitest';
import { linkable } from './links.js';

describe('which media URLs are rendered as links', () => {
  it('takes http and https URLs only', () => {
    expect(linkable('https://cdn.example.com/a.pdf')).toBe('https://cdn.example.com/a.pdf');
    expect(linkable('http://cdn.example.com/a.png')).toBe('http://cdn.example.com/a.png');
    for (const url of ['javascript:alert(1)', ' JavaScript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', 'file:///etc/passwd', '//evil.example.com/x', '/relative', 'not a url', '']) {
      expect(linkable(url), url).toBeNull();
    }
  });
});
