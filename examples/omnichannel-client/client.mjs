#!/usr/bin/env node
// A terminal chat playing a company's "client server" for Baton's Omnichannel channel (GMS
// "Omnichannel" public API): every line you type is posted to the channel's webhook as a visitor
// message, and every answer Baton sends to {this server}/send_message is printed. No
// dependencies, no Baton code: only the documented protocol, whose other half (what arrives at
// /send_message) is Webim's External Bot API 2.0: `operator`, `keyboard` and `file_operator`.
//
//   BATON_WEBHOOK_URL=http://127.0.0.1:8080/connector/omnichannel/omnichannel_message/<token>/bot_api_webhook \
//   PORT=3002 WEBHOOK_TOKEN=s3cret node client.mjs
//
// Type text to send it; a number presses one of the buttons of the last keyboard; `/file URL
// [content-type] [name]` sends a file (first "uploading", then "ready"); `/quit` leaves.
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';

const webhook = process.env.BATON_WEBHOOK_URL;
const port = Number(process.env.PORT ?? 3002);
const webhookToken = process.env.WEBHOOK_TOKEN ?? '';
const chatId = /^\d+$/.test(process.env.CHAT_ID ?? '') ? Number(process.env.CHAT_ID) : process.env.CHAT_ID || 1001;
const visitor = {
  id: process.env.VISITOR_ID ?? 'visitor-1',
  fields: { name: process.env.VISITOR_NAME ?? 'Anna', login: 'anna', phone: '+41790000000', email: 'anna@example.com', site: 'https://shop.example.com' },
};
if (!webhook) {
  console.error('Set BATON_WEBHOOK_URL to the channel\'s webhook (`baton doctor` or GET /v1/channels: inboundUrl).');
  process.exit(2);
}

let sequence = 0;
let buttons = [];
const nextId = () => `m-${Date.now().toString(36)}-${++sequence}`;

async function post(message) {
  const body = { event: 'new_message', chat_id: chatId, visitor, message };
  const res = await fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await res.json().catch(() => ({}));
  const what = message.kind === 'visitor' ? message.text : message.kind === 'keyboard_response' ? `[${message.data.button.text}]` : `file ${message.data.url} (${message.data.state})`;
  console.log(`>> ${what}  (${res.status} ${answer.status ?? answer.error ?? ''}${answer.detail ? `: ${answer.detail}` : ''})`);
}

async function handleLine(line) {
  const text = line.trim();
  if (!text) return;
  if (text === '/quit') process.exit(0);
  if (text.startsWith('/file ')) {
    const [, url, contentType = 'application/octet-stream', name = url.split('/').pop()] = text.split(/\s+/);
    // The document processes a file "only when state == ready": announce it first, as a real upload would.
    const data = { id: `f-${Date.now().toString(36)}`, name, content_type: contentType, size: 0, url };
    const id = nextId();
    await post({ id, kind: 'file_visitor', data: { ...data, state: 'uploading' } });
    await post({ id, kind: 'file_visitor', data: { ...data, state: 'ready' } });
    return;
  }
  const pick = /^\d+$/.test(text) ? buttons[Number(text) - 1] : undefined;
  if (pick) {
    await post({ id: nextId(), kind: 'keyboard_response', data: { button: { id: pick.id, text: pick.text } } });
    return;
  }
  await post({ id: nextId(), kind: 'visitor', text });
}

function show(call) {
  const m = call.message ?? {};
  if (m.kind === 'operator') console.log(`<< ${m.text}`);
  else if (m.kind === 'file_operator') console.log(`<< file: ${m.data?.url}${m.data?.name ? ` (${m.data.name}, ${m.data.media_type})` : ''}`);
  else if (m.kind === 'keyboard') {
    // Rows of buttons; numbered across the rows, as a visitor reads them.
    buttons = (m.buttons ?? []).flat();
    buttons.forEach((b, i) => console.log(`   [${i + 1}] ${b.text}`));
  } else console.log(`<< (a message of kind ${JSON.stringify(m.kind)})`);
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    // Baton checks that this server answers when the channel is switched on: any GET will do.
    if (req.method === 'GET') return reply(200, { ok: true });
    if (!req.url?.split('?')[0].endsWith('/send_message')) return reply(404, { error: 'only /send_message here' });
    if (webhookToken && req.headers.authorization !== `Token ${webhookToken}`) return reply(401, { error: 'Authorization: Token <token> expected' });
    try {
      show(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch {
      return reply(400, { error: 'not JSON' });
    }
    reply(200, { result: 'ok' });
  });
});

server.listen(port, '127.0.0.1', () => {
  console.log(`client server listening on http://127.0.0.1:${port} (the channel's outboundUrl); chat ${chatId}, visitor ${visitor.id}`);
  // Lines are sent one after the other, in the order typed.
  let queue = Promise.resolve();
  createInterface({ input: process.stdin }).on('line', (line) => {
    queue = queue.then(() => handleLine(line)).catch((err) => console.error(`!! ${err.message}`));
  });
});
