import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Queries } from '../core/queries.js';
import type { StoreReads } from '../core/ports.js';
import { channelInboundPath } from '../dialects/index.js';

const BASE_CSP = ["default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'"];
const ID = /^[A-Za-z0-9._-]{1,200}$/;

/** Every page gets a Content-Security-Policy: only Baton's own scripts, styles and sockets. */
function page(reply: FastifyReply, html: string, frameAncestors: string, extra: string[] = []): FastifyReply {
  return reply
    .header('content-security-policy', [...BASE_CSP, ...extra, `frame-ancestors ${frameAncestors}`].join('; '))
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('cache-control', 'no-cache')
    .type('text/html; charset=utf-8')
    .send(html);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The browser pages, built by Vite into `uiDir` (`npm run build`): the inbox at /inbox, the demo
 * chat page at /chat/{account}/{channel} with the widget script at /chat/widget.js, and the chat
 * itself at …/frame, which the widget opens in an iframe so it can sit on any site.
 */
export async function uiPages(app: FastifyInstance, deps: { uiDir: string; queries: Queries; store: Pick<StoreReads, 'listAccounts' | 'listChannels'> }): Promise<void> {
  const { uiDir, queries } = deps;
  const built = existsSync(join(uiDir, 'inbox.html'));
  const read = (name: string) => (built ? readFileSync(join(uiDir, name), 'utf8') : `<!doctype html><title>Baton</title><p>The pages are not built: run <code>npm run build</code>.</p>`);
  const inboxHtml = read('inbox.html');
  const chatHtml = read('chat.html');
  const frameHtml = read('chat-frame.html');

  if (built) {
    await app.register(fastifyStatic, { root: uiDir, prefix: '/ui/', index: false, wildcard: true, decorateReply: false, allowedPath: (path) => !path.endsWith('.html'), maxAge: '1h' });
  }

  app.get('/inbox', { schema: { hide: true } }, async (_req, reply) => page(reply, inboxHtml, "'none'"));

  app.get('/chat/widget.js', { schema: { hide: true } }, async (_req, reply) => {
    const file = join(uiDir, 'widget.js');
    if (!existsSync(file)) return reply.status(404).type('text/plain').send('not built');
    return reply.header('cache-control', 'public, max-age=300').header('access-control-allow-origin', '*').type('text/javascript; charset=utf-8').send(readFileSync(file, 'utf8'));
  });

  // The first web chat channel, so that `/chat` works with no configuration.
  app.get('/chat', { schema: { hide: true } }, async (_req, reply) => {
    for (const account of await deps.store.listAccounts()) {
      const channel = (await deps.store.listChannels(account.id)).find((c) => c.kind === 'webchat' && c.active);
      if (channel) return reply.redirect(channelInboundPath(channel)!);
    }
    return reply.status(404).type('text/plain').send('No web chat channel is configured: add one with `kind: webchat` to baton.yaml.');
  });

  const webchat = async (accountId: string, channelId: string) => {
    if (!ID.test(accountId) || !ID.test(channelId)) return null;
    const channel = await queries.findChannel(accountId, channelId);
    return channel?.kind === 'webchat' ? channel : null;
  };

  app.get<{ Params: { accountId: string; channelId: string } }>('/chat/:accountId/:channelId', { schema: { hide: true } }, async (req, reply) => {
    const channel = await webchat(req.params.accountId, req.params.channelId);
    if (!channel) return reply.status(404).type('text/plain').send('No such web chat.');
    const html = chatHtml.replaceAll('__BATON_ACCOUNT__', escapeHtml(channel.accountId)).replaceAll('__BATON_CHANNEL__', escapeHtml(channel.id)).replaceAll('__BATON_ORIGIN__', escapeHtml(`${req.protocol}://${req.host}`));
    return page(reply, html, "'self'", ["frame-src 'self'"]);
  });

  app.get<{ Params: { accountId: string; channelId: string } }>('/chat/:accountId/:channelId/frame', { schema: { hide: true } }, async (req, reply) => {
    const channel = await webchat(req.params.accountId, req.params.channelId);
    if (!channel) return reply.status(404).type('text/plain').send('No such web chat.');
    // The chat is meant to be embedded on the business's own site, wherever that is.
    return page(reply, frameHtml, '*');
  });
}
