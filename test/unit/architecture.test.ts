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

  /** Every dialect folder (and the inbox, the built-in desk's dialect) with the files in it. */
  const dialectFolders = () => {
    const dialectsDir = join(SRC, 'dialects');
    const folders = readdirSync(dialectsDir).filter((n) => statSync(join(dialectsDir, n)).isDirectory()).map((n) => `dialects/${n}/`);
    return [...folders, 'inbox/'].map((folder) => ({ folder, files: files(join(SRC, folder)) }));
  };

  /**
   * Why an import of a dialect's file is not allowed, or null: dialects translate, so they reach
   * the core, the edge kit, the live bus and the delivery ports, never the HTTP server, the
   * delivery internals, the store, or another dialect.
   */
  function dialectImportRefusal(folder: string, t: string): string | null {
    if (t.startsWith('store/')) return 'the store';
    if (t.startsWith('http/')) return 'the HTTP server (use edge-kit/)';
    if (t.startsWith('delivery/') && t !== 'delivery/ports.js') return 'delivery internals (use delivery/ports.ts)';
    if (t.startsWith('dialects/') && !t.startsWith(folder)) return 'another dialect';
    if (t.startsWith('inbox/') && folder !== 'inbox/') return 'another dialect';
    return null;
  }

  it('no dialect reaches into the store, the HTTP server, delivery internals or another dialect', () => {
    const folders = dialectFolders();
    expect(folders.map((f) => f.folder)).toEqual(expect.arrayContaining(['dialects/native/', 'dialects/imi/', 'dialects/cm/', 'dialects/engage/', 'dialects/omnichannel/', 'dialects/webchat/', 'inbox/']));
    const offenders: string[] = [];
    let seen = 0;
    for (const { folder, files: list } of folders) {
      for (const f of list) {
        for (const spec of imports(f)) {
          const t = target(f, spec);
          if (!t) continue;
          seen++;
          const why = dialectImportRefusal(folder, t);
          if (why) offenders.push(`${relative(SRC, f)} -> ${t} (${why})`);
        }
      }
    }
    expect(seen).toBeGreaterThan(100); // the scan sees the imports it judges
    expect(offenders).toEqual([]);
  });

  it.each([
    ['a store query', 'dialects/imi/', 'store/kysely-store.js'],
    ['the HTTP server', 'dialects/engage/', 'http/auth-throttle.js'],
    ['delivery internals', 'dialects/native/', 'delivery/signing.js'],
    ['another dialect', 'dialects/cm/', 'dialects/imi/imi-routes.js'],
    ['the list of dialects', 'dialects/webchat/', 'dialects/index.js'],
    ['the inbox, from a dialect', 'dialects/engage/', 'inbox/inbox-renderer.js'],
    ['a dialect, from the inbox', 'inbox/', 'dialects/webchat/visitor-hub.js'],
  ])('the rule refuses a dialect importing %s', (_what, folder, t) => {
    expect(dialectImportRefusal(folder, t)).not.toBeNull();
  });

  it.each([['core/router.js'], ['edge-kit/errors.js'], ['delivery/ports.js'], ['live/live-bus.js']])('the rule lets a dialect import %s', (t) => {
    expect(dialectImportRefusal('dialects/imi/', t)).toBeNull();
  });

  it('the edge kit sits below the server and the dialects', () => {
    const used = files(join(SRC, 'edge-kit')).flatMap((f) => imports(f).map((s) => [relative(SRC, f), target(f, s)] as const)).filter(([, t]) => t !== null);
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter(([, t]) => /^(http|dialects|inbox|store)\//.test(t!) || (t!.startsWith('delivery/') && t !== 'delivery/ports.js'))).toEqual([]);
  });

  it('only dialects/index.ts names the dialects: nothing outside them imports a dialect\'s files', () => {
    const outside = files(SRC).filter((f) => !relative(SRC, f).startsWith('dialects/') && !relative(SRC, f).startsWith('inbox/'));
    const named = outside.flatMap((f) => imports(f).map((s) => [relative(SRC, f), target(f, s)] as const))
      .filter(([, t]) => t !== null && /^dialects\/[^/]+\//.test(t));
    expect(named).toEqual([]);
  });

  it('only the CLI entry point reads process.env', () => {
    const readers = files(SRC).filter((f) => /process\.env\b/.test(readFileSync(f, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, ''))).map((f) => relative(SRC, f));
    expect(readers).toEqual(['cli/main.ts']);
  });
});
