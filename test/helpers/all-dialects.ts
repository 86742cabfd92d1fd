import { conversationNumber } from '../../src/core/ids.js';
import { CHANNEL_KINDS, COMPONENT_DIALECTS } from '../../src/dialects/index.js';
import type { TestServer } from './server.js';

/**
 * One account with a channel and a component of every dialect, so that one Baton serves every
 * inbound route: a native channel whose chats go to an IMI bot, one whose chats go to an Engage
 * bot, a web chat and an Omnichannel channel in front of a native bot, a `cm` channel in front of
 * a CM bot with a CM desk, one whose chats go to a sunco bot (Sunshine Conversations), one whose
 * chats go to a Chatwoot bot, a switched-off channel, the built-in inbox and two agents (one admin).
 * Every credential is derived from `tag`, so two accounts built from it never share one.
 */
export function allDialectsAccount(id: string, tag: string) {
  const account = everyDialectAccount(id, tag);
  // A dialect added to dialects/index.ts without a channel or component here would go unchecked by
  // every test built on this account (tenant isolation above all): say so instead.
  const missing = [
    ...CHANNEL_KINDS.filter((k) => !account.channels.some((ch) => ch.kind === k)).map((k) => `a channel of kind ${k}`),
    ...COMPONENT_DIALECTS.filter((d) => !account.components.some((co) => (co.dialect ?? 'native') === d)).map((d) => `a component of dialect ${d}`),
  ];
  if (missing.length > 0) throw new Error(`allDialectsAccount has no ${missing.join(', ')}: add one, with its credentials derived from the tag`);
  return account;
}

function everyDialectAccount(id: string, tag: string) {
  const c = credentialsOf(tag);
  // Deliveries are never dispatched in these tests (dispatch: false); the URLs are only addresses.
  const nowhere = 'http://127.0.0.1:9';
  return {
    id,
    apiKeys: [c.apiKey],
    availability: { policy: 'queue' },
    defaultDesk: 'inbox',
    teams: [{ id: 'billing', values: ['billing'] }],
    categories: { bot: 'BOT', agent: 'AGENT' },
    channels: [
      { id: 'api', kind: 'native', address: `${id}-biz` },
      { id: 'mail', kind: 'native', address: `${id}-mail` },
      { id: 'web', kind: 'webchat' },
      { id: 'app', kind: 'omnichannel', address: id, outboundUrl: `${nowhere}/omni`, credentials: { inboundToken: c.omniToken } },
      { id: 'app-off', kind: 'omnichannel', address: id, outboundUrl: `${nowhere}/omni-off`, credentials: { inboundToken: c.omniOffToken }, active: false },
      { id: 'whatsapp', kind: 'cm', address: '+3197010203040', outboundUrl: `${nowhere}/cm`, credentials: { productToken: `${tag}-channel-product-token` } },
      { id: 'guarded', kind: 'cm', address: '+3197010203041', credentials: { inboundToken: c.moToken } },
      { id: 'off', kind: 'native', active: false },
      { id: 'cw', kind: 'native', address: `${id}-cw` },
      { id: 'sms', kind: 'native', address: `${id}-sms` },
    ],
    components: [
      { id: 'bot', kind: 'bot', url: `${nowhere}/bot`, secrets: { webhookSecret: `whsec_${Buffer.from(`${tag}-webhook-secret-0123456789`).toString('base64')}` } },
      { id: 'imibot', kind: 'bot', dialect: 'imi', url: `${nowhere}/imi`, options: { kind: 'generic' }, secrets: { verificationToken: `${tag}-vt`, inboundToken: c.imiToken } },
      { id: 'engagebot', kind: 'bot', dialect: 'engage', url: `${nowhere}/engage`, secrets: { accessToken: c.engageToken } },
      { id: 'CmBot', kind: 'bot', dialect: 'cm', url: `${nowhere}/cm-bot`, secrets: { productToken: c.cmBotToken } },
      { id: 'CustomerContact', kind: 'desk', dialect: 'cm', url: `${nowhere}/cm-desk`, secrets: { productToken: c.cmDeskToken } },
      { id: 'inbox', kind: 'desk', dialect: 'inbox' },
      { id: 'cwbot', kind: 'bot', dialect: 'chatwoot', url: `${nowhere}/chatwoot`, secrets: { accessToken: c.chatwootToken, webhookSecret: `${tag}-chatwoot-secret` } },
      { id: 'SuncoBot', kind: 'bot', dialect: 'sunco', url: `${nowhere}/sunco`, secrets: { keyId: c.suncoKey.id, keySecret: c.suncoKey.secret } },
    ],
    services: [
      {
        id: 'care',
        channels: ['api', 'mail', 'web', 'app', 'app-off', 'whatsapp', 'guarded', 'off', 'sms', 'cw'],
        rules: [
          { id: 'imi', trigger: { event: 'message', channels: ['api'] }, action: { type: 'bot', bot: 'imibot' } },
          { id: 'engage', trigger: { event: 'message', channels: ['mail'] }, action: { type: 'bot', bot: 'engagebot' } },
          { id: 'cm', trigger: { event: 'message', channels: ['whatsapp', 'guarded'] }, action: { type: 'bot+desk', bot: 'CmBot', desk: 'CustomerContact' } },
          { id: 'chatwoot', trigger: { event: 'message', channels: ['cw'] }, action: { type: 'bot', bot: 'cwbot' } },
          { id: 'sunco', trigger: { event: 'message', channels: ['sms'] }, action: { type: 'bot+desk', bot: 'SuncoBot', desk: 'inbox' } },
          { id: 'native', trigger: { event: 'message' }, action: { type: 'bot', bot: 'bot' } },
        ],
      },
    ],
    agents: [
      { id: 'alice', name: 'Alice', password: c.alicePassword, teams: ['billing'], categories: ['AGENT'], admin: true },
      { id: 'bob', name: 'Bob', password: c.bobPassword, teams: ['billing'], categories: ['AGENT'] },
    ],
  };
}

export interface AccountCredentials {
  apiKey: string;
  omniToken: string;
  /** The webhook token of the switched-off Omnichannel channel. */
  omniOffToken: string;
  moToken: string;
  imiToken: string;
  engageToken: string;
  cmBotToken: string;
  cmDeskToken: string;
  chatwootToken: string;
  /** The Sunshine Conversations key of the sunco bot (Basic keyId:secret). */
  suncoKey: { id: string; secret: string };
  alicePassword: string;
  bobPassword: string;
}

export function credentialsOf(tag: string): AccountCredentials {
  return {
    apiKey: `${tag}-api-key-0000000000000001`,
    omniToken: `${tag}-omnichannel-token-000000000001`,
    omniOffToken: `${tag}-omnichannel-off-token-0000001`,
    moToken: `${tag}-mo-token-0000000001`,
    imiToken: `${tag}-imi-token-0000000000000001`,
    engageToken: `${tag}-engage-token-000000000001`,
    cmBotToken: `${tag}-cm-bot-product-token-0001`,
    cmDeskToken: `${tag}-cm-desk-product-token-001`,
    chatwootToken: `${tag}-chatwoot-bot-token-0000001`,
    suncoKey: { id: `app_${tag}-sunco-key`, secret: `${tag}-sunco-key-secret-00000001` },
    alicePassword: `${tag}-alice-password`,
    bobPassword: `${tag}-bob-password-`,
  };
}

/** The ids of what `seedAccount` created: one conversation per dialect, and the sessions inside them. */
export interface SeededIds {
  accountId: string;
  /** Native channel `api`, its bot is the IMI bot: the IMI Conversationid is its bot session. */
  imiConversation: string;
  imiBotSession: string;
  /** Native channel `mail`, its bot is the Engage bot; handed over to the inbox, so it has an agent session (an intervention). */
  engageThread: string;
  engageCustomerContent: string;
  engageBotContent: string;
  agentSession: string;
  /** A work item (an intervention the Engage bot opened) on the Engage thread's first content. */
  workItem: string;
  /** CM channel `whatsapp` (bot+desk): a CM chat id. */
  cmChat: string;
  cmCustomer: string;
  webchatConversation: string;
  /** Native channel `cw`, its bot is the Chatwoot bot: the conversation and its Chatwoot integer id. */
  chatwootConversation: string;
  chatwootConversationNumber: number;
  webchatVisitorToken: string;
  omniConversation: string;
  omniChatId: string;
  /** Native channel `sms`, its bot is the sunco bot (bot+desk with the inbox). */
  suncoConversation: string;
  deliveryId: string;
  /** A logged-in inbox agent (alice): cookie and CSRF token. */
  inbox: { cookie: string; csrf: string };
}

async function ok<T = any>(what: string, p: Promise<{ status: number; body: any }>): Promise<T> {
  const res = await p;
  if (res.status >= 300) throw new Error(`seeding: ${what} answered ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as T;
}

/**
 * Gives an account built by `allDialectsAccount` one conversation on every channel kind, an agent
 * session, an Engage work item, deliveries and an inbox login, through the public routes only.
 */
export async function seedAccount(s: TestServer, accountId: string, tag: string): Promise<SeededIds> {
  const c = credentialsOf(tag);
  const key = { authorization: `Bearer ${c.apiKey}` };

  const imi = await ok('native message to the IMI bot', s.call('POST', '/v1/channels/api/messages', { customer: `${tag}-imi-customer`, text: 'hello imi', messageId: `${tag}-m-imi` }, key));
  const engage = await ok('native message to the Engage bot', s.call('POST', '/v1/channels/mail/messages', { customer: `${tag}-engage-customer`, text: 'hello engage', messageId: `${tag}-m-engage` }, key));
  const engageThread: string = engage.conversation.id;
  const engageCustomerContent: string = engage.message.id;
  const workItem = await ok('Engage intervention', s.call('POST', `/1.0/interventions?access_token=${c.engageToken}`, { content_id: engageCustomerContent }));
  const botContent = await ok('Engage content', s.call('POST', `/1.0/contents?access_token=${c.engageToken}`, { body: 'bot answer', in_reply_to_id: engageCustomerContent }));
  await ok('handover of the Engage thread', s.call('POST', `/v1/conversations/${engageThread}/handover`, { by: 'engagebot', note: 'to the humans' }, key));
  const handed = await ok('the Engage thread', s.call('GET', `/v1/conversations/${engageThread}`, undefined, key));

  const cmCustomer = `+3161${tag.length}000${String(accountId.length).padStart(4, '0')}`;
  const mo = await ok('cm MO', s.call('POST', `/conversational/channels/${accountId}/whatsapp/mo`, {
    from: { number: cmCustomer, name: null }, to: { number: '+3197010203040', name: null },
    message: { text: 'hello cm', media: null, custom: {} }, reference: `${tag}-mo-1`, channel: 'WhatsApp',
  }));

  const visitorToken = `${tag}-visitor-token-`.padEnd(40, 'v').replace(/[^A-Za-z0-9_-]/g, '_');
  const web = await ok('web chat message', s.call('POST', `/chat/api/${accountId}/web/messages`, { id: `${tag}-web-1`.replace(/[^A-Za-z0-9_-]/g, '_').padEnd(8, '_'), text: 'hello web' }, { 'x-visitor-token': visitorToken }));

  const omniChatId = `${tag}-chat-1`;
  const omni = await ok('omnichannel message', s.call('POST', `/connector/omnichannel/omnichannel_message/${c.omniToken}/bot_api_webhook`, {
    event: 'new_message', chat_id: omniChatId, visitor: { id: `${tag}-visitor` }, message: { id: `${tag}-omni-1`, kind: 'visitor', text: 'hello omni' },
  }));

  const cw = await ok('native message to the Chatwoot bot', s.call('POST', '/v1/channels/cw/messages', { customer: `${tag}-cw-customer`, text: 'hello chatwoot', messageId: `${tag}-m-cw` }, key));
  const sunco = await ok('native message to the sunco bot', s.call('POST', '/v1/channels/sms/messages', { customer: `${tag}-sunco-customer`, text: 'hello sunco', messageId: `${tag}-m-sunco` }, key));

  const deliveries = await ok('deliveries', s.call('GET', '/v1/deliveries?limit=1', undefined, key));
  const login = await s.call('POST', '/inbox/api/login', { account: accountId, agent: 'alice', password: c.alicePassword });
  if (login.status !== 200) throw new Error(`seeding: login answered ${login.status}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;

  return {
    accountId,
    imiConversation: imi.conversation.id,
    imiBotSession: imi.conversation.botSession.id,
    engageThread,
    engageCustomerContent,
    engageBotContent: botContent.id,
    agentSession: handed.conversation.agentSession.id,
    workItem: workItem.id,
    cmChat: mo.chatId,
    cmCustomer,
    webchatConversation: web.message.id ? (await ok('web chat conversation', s.call('GET', `/v1/conversations?limit=50`, undefined, key))).items.find((x: any) => x.channelId === 'web').id : '',
    chatwootConversation: cw.conversation.id,
    chatwootConversationNumber: conversationNumber(cw.conversation.id),
    webchatVisitorToken: visitorToken,
    omniConversation: omni.conversation_id,
    omniChatId,
    suncoConversation: sunco.conversation.id,
    deliveryId: deliveries.items[0].id,
    inbox: { cookie, csrf: login.body.csrfToken },
  };
}
