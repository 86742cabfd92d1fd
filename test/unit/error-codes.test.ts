import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BatonError, ERROR_CODES } from '../../src/core/errors.js';
import { DIALECTS } from '../../src/dialects/index.js';
import { batonErrors } from '../../src/edge-kit/errors.js';

describe('error codes', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

  it.each(Object.entries(ERROR_CODES))('%s is documented with its status', (code, { status }) => {
    expect(doc).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\|`));
  });

  it('documents no code that does not exist', () => {
    const documented = [...doc.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });
});

describe('error shapes', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const sample = new BatonError('invalid_json', 'The request body is empty.');
  const renderers = [batonErrors, ...DIALECTS.flatMap((d) => d.routes.flatMap((r) => (r.errors ? [r.errors] : [])))];

  it.each(renderers.map((r) => [r.shape, r] as const))('the %s shape is documented with what it answers', (_shape, r) => {
    const { status, body } = r.render(sample);
    expect(doc).toContain(`| ${r.shape} | ${status} | \`${JSON.stringify(body)}\` |`);
  });

  it('documents no shape that no dialect declares', () => {
    const table = doc.slice(doc.indexOf('## Error shapes'));
    const documented = [...table.matchAll(/^\| ([a-z-]+) \| \d{3} \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...new Set(renderers.map((r) => r.shape))].sort());
  });
});
