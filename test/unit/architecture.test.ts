import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../../src/', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

/** Where a relative import lands, as a path under src/ ("core/ids.js", "store/kysely-store.js"). */
function target(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  return relative(SRC, join(file, '..', spec));
}

// DESIGN.md section 1: core decides, edges translate. These rules keep the layers honest.
describe('architecture', () => {
  it('core imports nothing from store, delivery, dialects, http or the rest', () => {
    const all = files(join(SRC, 'core')).flatMap((f) => imports(f).map((s) => [relative(SRC, f), target(f, s)] as const));
    expect(all.filter(([, t]) => t?.startsWith('core/')).length).toBeGreaterThan(20); // the scan sees the imports it judges
    expect(all.filter(([, t]) => t !== null && !t.startsWith('core/'))).toEqual([]);
  });

  it.each(['outbox-dispatcher.ts', 'metrics.ts', 'delivery-admin.ts'])('delivery/%s reaches the outbox only through its ports', (name) => {
    const f = join(SRC, 'delivery', name);
    const used = imports(f).map((s) => target(f, s)).filter((t): t is string => t !== null);
    expect(used).toContain('delivery/ports.js');
    expect(used.filter((t) => t.startsWith('store/'))).toEqual([]);
  });

  it('the inbox keeps its logins through its port, not in raw queries', () => {
    const offenders = files(join(SRC, 'inbox')).flatMap((f) => imports(f).map((s) => [relative(SRC, f), target(f, s)] as const)).filter(([, t]) => t?.startsWith('store/'));
    expect(offenders).toEqual([]);
  });

  it('no dialect reaches into the store or into another dialect', () => {
    const dialectsDir = join(SRC, 'dialects');
    const offenders: string[] = [];
    for (const name of readdirSync(dialectsDir).filter((n) => statSync(join(dialectsDir, n)).isDirectory())) {
      for (const f of files(join(dialectsDir, name))) {
        for (const spec of imports(f)) {
          const t = target(f, spec);
          if (!t) continue;
          if (t.startsWith('store/')) offenders.push(`${relative(SRC, f)} -> ${t}`);
          if (t.startsWith('dialects/') && !t.startsWith(`dialects/${name}/`) && t !== 'dialects/registry.js') offenders.push(`${relative(SRC, f)} -> ${t}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('only the CLI entry point reads process.env', () => {
    const readers = files(SRC).filter((f) => /process\.env\b/.test(readFileSync(f, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, ''))).map((f) => relative(SRC, f));
    expect(readers).toEqual(['cli/main.ts']);
  });
});
