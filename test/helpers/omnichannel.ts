import { readFileSync } from 'node:fs';
import { omnichannelInboundPath } from '../../src/dialects/omnichannel/omnichannel-paths.js';

/**
 * A seed-004 fixture as bytes: the file as written, with each `{{name}}` replaced by its value
 * (JSON-escaped, so any text fits inside the document's quotes).
 */
export function omnichannelFixture(name: string, values: Record<string, string> = {}): string {
  return readFileSync(new URL(`../fixtures/omnichannel/${name}.json`, import.meta.url), 'utf8').replace(/\{\{(\w+)\}\}/g, (_m, k: string) => {
    if (!(k in values)) throw new Error(`fixture ${name} needs ${k}`);
    return JSON.stringify(values[k]).slice(1, -1);
  });
}

/** What Baton sends: the fixture compacted, keys in the fixture's order. */
export function expectedSend(name: string, values: Record<string, string> = {}): string {
  return JSON.stringify(JSON.parse(omnichannelFixture(name, values)));
}

export interface Answer {
  status: number;
  text: string;
  json: any;
}

/** Posts raw bytes to a channel's webhook, as a client server would. */
export async function postToChannel(baseUrl: string, token: string, body: string, contentType = 'application/json'): Promise<Answer> {
  return postRaw(baseUrl + omnichannelInboundPath(token), body, contentType);
}

export async function postRaw(url: string, body: string, contentType = 'application/json', method = 'POST'): Promise<Answer> {
  const res = await fetch(url, { method, headers: contentType ? { 'content-type': contentType } : {}, ...(method === 'GET' ? {} : { body }) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, text, json };
}
