#!/usr/bin/env node
// A small IMIconnect / Webex Connect "generic" bot, written only against the documented protocol:
// it receives events on its webhook, answers each with its verification token, and talks back
// through the webhook URL its integration generated (replies, 1001 handover, 1002 close).
//
//   PORT=3001 BATON_WEBHOOK_URL=http://127.0.0.1:8080/imi/webhook/<token> VERIFICATION_TOKEN=s3cret node bot.mjs
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3001);
const webhook = process.env.BATON_WEBHOOK_URL;
const verificationToken = process.env.VERIFICATION_TOKEN ?? '';
if (!webhook) {
  console.error('Set BATON_WEBHOOK_URL to the webhook URL of the integration.');
  process.exit(2);
}

// Everything the bot saw, per conversation: after a handover it keeps collating (ConversationType CCSP).
const transcript = [];

function timestamp(d = new Date()) {
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
}

async function send(body) {
  const res = await fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) console.error(`webhook answered ${res.status}: ${await res.text()}`);
}

async function reply(conversationId, text) {
  await send({ Conversationid: conversationId, Message: text, MessageType: 'text' });
}

async function handle(event) {
  transcript.push(event);
  if (event.Event === 'FB POSTBACK' && event.ConversationType === 'BOT') {
    await reply(event.Conversationid, `You chose ${event.PostbackPayload}.`);
    return;
  }
  if (event.Event !== 'Incoming message' || event.ConversationType !== 'BOT') return; // collate only
  const text = String(event.Message ?? '');
  if (/human|agent|person/i.test(text)) {
    const topic = /bill|invoice|plan/i.test(text) ? 'billing' : 'general';
    await reply(event.Conversationid, 'Let me get you a colleague.');
    await send({ eventid: '1001', conversation_id: event.Conversationid, message: `Customer asked for a person: "${text}"`, Messagetype: 'text', Timestamp: timestamp(), customparam1: topic });
  } else if (/\bbye\b/i.test(text)) {
    await reply(event.Conversationid, 'Goodbye!');
    await send({ eventid: '1002', conversation_id: event.Conversationid, Timestamp: timestamp() });
  } else {
    await reply(event.Conversationid, `Hello! You said: ${text}. Ask for a human any time.`);
  }
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
    let event = null;
    try {
      event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    // The 2xx must carry the verification token, or the platform counts the call as failed.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ verificationToken }));
    if (event.Event !== 'Verification') handle(event).catch((err) => console.error(err));
  });
});

server.listen(port, '127.0.0.1', () => console.log(`imi-bot listening on http://127.0.0.1:${server.address().port}`));
