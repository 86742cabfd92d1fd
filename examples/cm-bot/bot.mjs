#!/usr/bin/env node
// A small CM.com Bot Router bot, written only against the documented protocol (no Baton code):
// it takes MO webhooks (plus conversationalRouter) on its webhook, answers through the BMProxy
// with CM's own Node SDK, and steers the chat with the control API: it hands over (disableComponent
// CmBot, with a Context the router matches against the desk's teams) when a customer asks for a
// person, and picks up where a position request tells it to after a hand-back.
//
//   PORT=3002 BOT_ROUTER_URL=http://127.0.0.1:8080 BOT_ROUTER_ACCOUNT_ID=acme PRODUCT_TOKEN=<token> node bot.mjs
import { createServer } from 'node:http';
import { CMTypes, MessageApiClient } from '@cmdotcom/text-sdk';

const port = Number(process.env.PORT ?? 3002);
const routerUrl = process.env.BOT_ROUTER_URL;
const accountId = process.env.BOT_ROUTER_ACCOUNT_ID;
const productToken = process.env.PRODUCT_TOKEN;
const componentId = process.env.COMPONENT_ID ?? 'CmBot';
if (!routerUrl || !accountId || !productToken) {
  console.error('Set BOT_ROUTER_URL, BOT_ROUTER_ACCOUNT_ID and PRODUCT_TOKEN.');
  process.exit(2);
}

// Sending is CM's Business Messaging API at another address: the SDK with its base path set to
// the BMProxy appends /v1.0/message itself.
const bmproxy = `${routerUrl}/conversational/bmproxy/v1/accounts/${encodeURIComponent(accountId)}`;
const control = `${routerUrl}/conversational/control/v1/accounts/${encodeURIComponent(accountId)}/sessions`;
const client = new MessageApiClient(productToken);
const messages = new CMTypes.MessagesApi(bmproxy);

// Everything the bot received, and what became of everything it tried to say (GET /transcript).
const transcript = [];

async function say(mo, text) {
  // Answer the chat the MO came from: to its sender, from the address it was sent to, on its channel.
  const message = client.createMessage().setMessage([mo.from.number], mo.to.number, text).setAllowedChannels([mo.channel]);
  try {
    const res = await messages.messagesSendMessage(message);
    transcript.push({ said: text, chatId: mo.conversationalRouter.chatId, answer: res.data });
  } catch (err) {
    // The BMProxy answers as the Business Messaging API does: 400 when no message was accepted,
    // with the reason per message (a disabled bot may not talk over the humans).
    transcript.push({ refused: text, chatId: mo.conversationalRouter.chatId, answer: err.response?.data ?? String(err) });
  }
}

async function steer(path, body) {
  const res = await fetch(`${control}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-cm-producttoken': productToken },
    body: JSON.stringify(body),
  });
  const answer = await res.json().catch(() => null);
  transcript.push({ steered: path, status: res.status, answer });
}

async function onCustomerMessage(mo) {
  const text = mo.message.text ?? '';
  const chatId = mo.conversationalRouter.chatId;
  if (/human|person|agent/i.test(text)) {
    await say(mo, 'Let me get you a colleague.');
    // Hand-over: disable ourselves. The desk receives every conversation and wakes up now; the
    // Context values are matched against the values configured on its teams.
    const topic = /bill|invoice|refund/i.test(text) ? 'billing' : 'general';
    await steer('mutations', { ChatId: chatId, Mutations: [{ $type: 'disableComponent', ComponentId: componentId }], Context: { Topic: topic, Question: text } });
    return;
  }
  await say(mo, `You said: ${text}`);
}

async function onNotification(mo) {
  const note = mo.message.custom;
  if (note.$type === 'positionRequest') await say(mo, `Back with you at ${note.FlowId} / ${note.StepId}. How can I help?`);
}

async function handle(mo) {
  transcript.push(mo);
  // A $type in message.custom is the router telling us something (a mutation, a position request,
  // a reset, an agent's message), not the customer writing.
  if (mo.message?.custom?.$type) await onNotification(mo);
  else await onCustomerMessage(mo);
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/transcript') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(transcript));
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let mo;
    try {
      mo = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    // "The webhook must return 200 OK to indicate it has received the message": at once, then work.
    res.writeHead(200).end();
    if (mo.conversationalRouter?.chatId) handle(mo).catch((err) => console.error(err));
  });
});

server.listen(port, '127.0.0.1', () => console.log(`cm-bot listening on http://127.0.0.1:${server.address().port}`));
