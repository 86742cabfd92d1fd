import type { FastifyInstance, HTTPMethods } from 'fastify';

export interface RouteId {
  method: string;
  url: string;
}

/**
 * Every route the running instance serves, read from `printRoutes` (the radix tree, one node a
 * line, children indented by four columns), without HEAD (Fastify adds it to every GET). Every
 * route but the wildcards is checked back with `hasRoute`, so a misread tree fails loudly instead
 * of hiding a route.
 */
export function routesOf(app: FastifyInstance): RouteId[] {
  const tree = app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const out: RouteId[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const level = m[1]!.length / 4;
    stack.length = level;
    const url = (stack[level - 1] ?? '') + m[2]!;
    stack[level] = url;
    for (const method of (m[3] ?? '').split(', ').filter((x) => x && x !== 'HEAD')) {
      // Wildcards (static files, the docs' assets) are printed where the tree keeps them, not as registered.
      if (!url.includes('*') && !app.hasRoute({ method: method as HTTPMethods, url })) throw new Error(`routesOf misread the route tree: ${method} ${url}`);
      out.push({ method, url });
    }
  }
  if (out.length === 0) throw new Error('routesOf found no routes');
  return out;
}
