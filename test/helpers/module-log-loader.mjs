import { appendFileSync } from 'node:fs';

let log;

export function initialize(data) {
  log = data?.log;
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (log && resolved.url.includes('@opentelemetry')) appendFileSync(log, `${specifier} ${resolved.url}\n`);
  return resolved;
}
