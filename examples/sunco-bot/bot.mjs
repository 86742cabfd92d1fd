#!/usr/bin/env node
// A Sunshine Conversations switchboard bot, written only against the v2 API and its webhooks
// (through the official sunshine-conversations-client package): it answers the customer while it
// is the active integration, offers control to the `next` integration when asked for a person,
// says so when nobody accepts in time, and greets the customer again when control comes back.
// Nothing in it knows about Baton but the optional offer deadline, which plain Sunshine ignores.
//
//   PORT=3003 SUNCO_SERVER=http://127.0.0.1:8080 APP_ID=... KEY_ID=... KEY_SECRET=... \
//   [WEBHOOK_SECRET=...] [BOT_NAME=bot] [OFFER_SECONDS=60] node bot.mjs
import { createServer } from 'node:http';
import * as SunshineConversations from 'sunshine-conversations-client';

// A Babel CommonJS build: its exports are the namespace or its `default`.
const sdk = SunshineConversations.ApiClient ? SunshineConversations : SunshineConversations.default;

const env = process.env;
for (const name of ['SUNCO_SERVER', 'APP_ID', 'KEY_ID', 'KEY_SECRET']) {
  if (!env[name]) {
    console.error(`Set ${name}.`);
    process.exit(2);
  }
}
const port = Number(env.PORT ?? 3003);
const appId = env.APP_ID;
const me = env.BOT_NAME ?? 'bot';
const offerSeconds = Number(env.OFFER_SECONDS ?? 60);

const client = new sdk.ApiClient();
client.basePath = env.SUNCO_SERVER;
client.authentications.basicAuth.username = env.KEY_ID;
client.authentications.basicAuth.password = env.KEY_SECRET;
const messages = new sdk.MessagesApi(client);
const switchboard = new sdk.SwitchboardActionsApi(client);

/** Every webhook event received, for whoever wants to look (GET /transcript). */
const transcript = [];

async function say(conversationId, text) {
  const post = new sdk.MessagePost();
  post.author = { type: 'business' };
  post.content = { type: 'text', text };
  await messages.postMessage(appId, conversationId, post);
}

const isMine = (conversation) => conversation.activeSwitchboardIntegration?.name === me;

async function onEvent(event) {
  const { conversation } = event.payload;
  switch (event.type) {
    case 'conversation:message': {
      const { message } = event.payload;
      // Business messages (an agent's, its own) come only while on standby, if at all: collated.
      if (message.author.type !== 'user' || !isMine(conversation)) return;
      const text = message.content.text ?? '';
      if (/\b(human|agent|person)\b/i.test(text)) {
        await say(conversation.id, 'Let me find someone for you.');
        // Baton takes a deadline and a fallback: the offer returns to this bot if nobody accepts.
        const deadline = new Date(Date.now() + offerSeconds * 1000).toISOString();
        await switchboard.offerControl(appId, conversation.id, { switchboardIntegration: 'next', metadata: { reason: 'customer asked for a person' }, deadline, fallback: 'offerer' });
        return;
      }
      await say(conversation.id, `Hello! You said: ${text}`);
      return;
    }
    case 'conversation:postback':
      if (isMine(conversation)) await say(conversation.id, `You chose ${event.payload.postback.payload}.`);
      return;
    case 'switchboard:offerControl:failure':
      if (isMine(conversation)) await say(conversation.id, 'Nobody is free right now; I am still here.');
      return;
    case 'switchboard:passControl':
    case 'switchboard:acceptControl':
      if (isMine(conversation)) await say(conversation.id, 'I am back. Anything else?');
      return;
    default:
  }
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/transcript') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(transcript));
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(404).end();
    return;
  }
  if (env.WEBHOOK_SECRET && req.headers['x-api-key'] !== env.WEBHOOK_SECRET) {
    res.writeHead(401).end();
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    let payload;
    try {
      payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    // The document: "process each event in the array".
    try {
      for (const event of payload.events ?? []) {
        transcript.push(event);
        await onEvent(event);
      }
      res.writeHead(200).end();
    } catch (err) {
      console.error(err?.body ?? err);
      res.writeHead(500).end();
    }
  });
});

server.listen(port, '127.0.0.1', () => console.log(`sunco bot listening on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
