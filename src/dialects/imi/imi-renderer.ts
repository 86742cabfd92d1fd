import type { MessageContent } from '../../core/model.js';
import type { DeliveryContext, EndpointResponse, Renderer, Target } from '../../delivery/ports.js';
import { imiChannelName } from './imi-channel-names.js';
import { imiTimestamp } from './imi-timestamp.js';
import { carriesVerificationToken } from './imi-verification-token.js';

/**
 * Events to an IMIconnect / Webex Connect bot, in the documents' shapes and key spelling (seeds
 * 000 and 001). Two kinds of integration: `imi-bot` (the bot's access token is sent on every
 * request) and `generic` ("Others": the bot's 2xx answer must carry the verification token).
 */
export type ImiKind = 'generic' | 'imi-bot';

export function imiKind(target: Target): ImiKind {
  return target.kind === 'component' && target.component.options.kind === 'imi-bot' ? 'imi-bot' : 'generic';
}

function messageType(content: MessageContent): string {
  if (content.type === 'media') {
    const ct = content.media?.contentType ?? '';
    if (ct.startsWith('image/')) return 'image';
    if (ct.startsWith('video/')) return 'video';
    if (ct.startsWith('audio/')) return 'audio';
    return 'file';
  }
  if (content.type === 'custom') return 'custom';
  return 'text';
}

function messageText(content: MessageContent): string {
  return content.text ?? content.postback?.title ?? content.media?.name ?? '';
}

/**
 * BOT while the bot is the one to answer; after a handover the bot still sees everything "so that
 * it can collate the data", as CCSP, and must not answer.
 */
function conversationType(ctx: DeliveryContext): 'BOT' | 'CCSP' {
  return ctx.forReply ? 'BOT' : 'CCSP';
}

/**
 * The BOT conversation id the event belongs to: the bot session of its time, else the chat id.
 * Never an agent session id: a reopen reuses those, and a CCSP id is never used again (seeds
 * 000/001); the bot gets CCSP ids of its own when it hands over (imi-ccsp-id.ts).
 */
function conversationId(ctx: DeliveryContext): string {
  const d = ctx.event.data;
  return (typeof d.botSessionId === 'string' && d.botSessionId) || ctx.conversation.botSession?.id || ctx.conversation.id;
}

function body(ctx: DeliveryContext): Record<string, unknown> | null {
  const { event, message } = ctx;
  const channel = ctx.target.kind === 'component' ? imiChannelName(ctx.target.component.options, ctx.conversation.channelId) : ctx.conversation.channelId;
  const timestamp = imiTimestamp(event.at);
  if (event.type === 'message.received' && message) {
    if (message.content.type === 'postback') {
      return { Conversationid: conversationId(ctx), ConversationType: conversationType(ctx), PostbackPayload: message.content.postback?.payload ?? '', Channel: channel, Event: 'FB POSTBACK', Timestamp: timestamp };
    }
    return { Conversationid: conversationId(ctx), ConversationType: conversationType(ctx), Message: messageText(message.content), MessageType: messageType(message.content), Messageid: message.id, Media: message.content.media?.url ?? '', Channel: channel, Event: 'Incoming message', Timestamp: timestamp };
  }
  if (event.type === 'message.sent' && message && event.data.authorKind === 'agent') {
    // Seed 000: the bot is notified of "an agent's response" too; the documents give it no shape of its own.
    return { Conversationid: conversationId(ctx), ConversationType: 'CCSP', Message: messageText(message.content), MessageType: messageType(message.content), Messageid: message.id, Media: message.content.media?.url ?? '', Channel: channel, Event: 'Agent Response', Timestamp: timestamp };
  }
  if (event.type === 'message.status') {
    const status = event.data.status === 'failed' ? 'Failed' : event.data.status === 'read' ? 'Read' : 'Delivered';
    return {
      Conversationid: conversationId(ctx),
      // The status is of the bot's own message, sent in its BOT conversation, whoever controls now.
      ConversationType: 'BOT',
      Messageid: event.data.messageId,
      Channel: channel,
      Event: 'Message Delivery',
      DeliveryStatus: status,
      ...(status === 'Failed' ? { Description: event.data.description ?? 'not delivered' } : {}),
      Timestamp: timestamp,
    };
  }
  return null;
}

function headers(target: Target): Record<string, string> {
  const token = target.kind === 'component' ? target.component.secrets.accessToken : undefined;
  return imiKind(target) === 'imi-bot' && token ? { authorization: `Bearer ${token}`, 'access-token': token } : {};
}

function carriesToken(res: EndpointResponse, target: Target): { ok: true } | { ok: false; reason: string } {
  const token = target.kind === 'component' ? target.component.secrets.verificationToken : undefined;
  if (!token) return { ok: false, reason: 'the component has no secrets.verificationToken to check the answer against' };
  return carriesVerificationToken(res, token) ? { ok: true } : { ok: false, reason: 'the answer does not carry the verification token (as the whole body, a "verificationToken" field or an X-Verification-Token header)' };
}

export const imiRenderer: Renderer = {
  render(ctx) {
    const b = body(ctx);
    if (!b || ctx.target.kind !== 'component' || !ctx.target.component.url) return null;
    return { url: ctx.target.component.url, headers: headers(ctx.target), body: JSON.stringify(b) };
  },

  accept(res, ctx) {
    return imiKind(ctx.target) === 'generic' ? carriesToken(res, ctx.target) : { ok: true };
  },

  // Seeds 000/001: only the generic bot is verified ("Click Verify and then Save"); an IMI BOT is saved as it is.
  verifiedEndpoint(target) {
    if (target.kind !== 'component' || imiKind(target) !== 'generic') return null;
    return `${target.component.url ?? ''}\n${target.component.secrets.verificationToken ?? ''}`;
  },

  verification(target, now) {
    const url = target.kind === 'component' ? target.component.url ?? '' : '';
    return {
      request: { url, headers: headers(target), body: JSON.stringify({ Event: 'Verification', Timestamp: imiTimestamp(now) }) },
      check(res) {
        if (res.status < 200 || res.status >= 300) return { ok: false, reason: `the webhook answered HTTP ${res.status}` };
        return imiKind(target) === 'generic' ? carriesToken(res, target) : { ok: true };
      },
    };
  },
};
