import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { freePort, until } from '../helpers/waiting.js';

const KEY = 'omni-example-key-0000000001';
const TOKEN = 'omni-example-inbound-token-0001';
const WEBHOOK_TOKEN = 'omni-example-webhook-token-0001';
const CLIENT = new URL('../../examples/omnichannel-client/client.mjs', import.meta.url).pathname;

describe('the example Omnichannel client server, as a real process, in a conversation with a bot and an agent', () => {
  let s: TestServer;
  let client: ChildProcess;
  let bot: Receiver;
  let desk: Receiver;
  let out = '';

  beforeAll(async () => {
    bot = await startReceiver();
    desk = await startReceiver();
    const port = await freePort();
    s = await startServer('sqlite', {
      accounts: [{
        id: 'shop',
        apiKeys: [KEY],
        channels: [{ id: 'omni', kind: 'omnichannel', address: 'shop', outboundUrl: `http://127.0.0.1:${port}`, credentials: { inboundToken: TOKEN, webhookToken: WEBHOOK_TOKEN } }],
        components: [{ id: 'bot', kind: 'bot', url: `${bot.url}/bot` }, { id: 'desk', kind: 'desk', url: `${desk.url}/desk` }],
        defaultDesk: 'desk',
        services: [{ id: 'web', channels: ['omni'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: 'bot', desk: 'desk' } }] }],
      }],
    }, { apiKey: KEY, dispatch: true });
    const webhook = ((await s.call('GET', '/v1/channels')).body.items as any[])[0].inboundUrl as string;
    client = spawn(process.execPath, [CLIENT], { env: { ...process.env, BATON_WEBHOOK_URL: webhook, PORT: String(port), WEBHOOK_TOKEN, CHAT_ID: '5150', VISITOR_ID: 'v-5150' }, stdio: ['pipe', 'pipe', 'inherit'] });
    client.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await until('the client to listen', () => out.includes('listening'));
  });

  afterAll(async () => {
    client?.kill('SIGTERM');
    await s?.close();
    await bot?.close();
    await desk?.close();
  });

  const type = (line: string) => client.stdin!.write(`${line}\n`);
  const atBot = () => bot.received.filter((r) => r.json.type === 'message.received').map((r) => r.json.message.content.text as string);

  it('posts typed lines, button presses and files, and prints what the bot and the agent answer', async () => {
    type('Hello, which plans do you have?');
    await until('the message at the bot', () => atBot().includes('Hello, which plans do you have?'));
    const id = bot.received.find((r) => r.json.type === 'message.received')!.json.conversationId as string;
    const conv = (await s.call('GET', `/v1/conversations/${id}`)).body.conversation;
    expect(conv).toMatchObject({ customer: '5150', context: { channel_visitor_id: 'v-5150', channel_chat_id: '5150|omnichannel' } });

    // The text and the keyboard as two answers: one delivery sends one Webim message (README).
    await s.call('POST', `/v1/conversations/${id}/replies`, { componentId: 'bot', text: 'We have two.' });
    await s.call('POST', `/v1/conversations/${id}/replies`, { componentId: 'bot', content: { type: 'text', buttons: [{ title: 'Basic plan', payload: 'BASIC' }, { title: 'Premium plan', payload: 'PREMIUM' }] } });
    await until('the answer and its keyboard in the terminal', () => out.includes('<< We have two.\n   [1] Basic plan\n   [2] Premium plan'));

    type('2');
    await until('the press at the bot as its label', () => atBot().includes('Premium plan'));
    const press = bot.received.filter((r) => r.json.type === 'message.received').at(-1)!.json.message.content;
    expect(press).toMatchObject({ text: 'Premium plan', postback: { payload: 'PREMIUM', title: 'Premium plan' } });
    type('/file https://files.example.com/contract.pdf application/pdf contract.pdf');
    await until('the file at the bot once it is ready', () => atBot().some((t) => t.startsWith('file:')));
    expect(atBot().filter((t) => t.startsWith('file:'))).toEqual([expect.stringMatching(/^file:application\/pdf\|f-\w+\|https:\/\/files\.example\.com\/contract\.pdf$/)]);
    expect(out).toMatch(/>> file https:\/\/files\.example\.com\/contract\.pdf \(uploading\)  \(200 ignored: the file's state is "uploading"/);

    await s.call('POST', `/v1/conversations/${id}/handover`, { by: 'bot' });
    await s.call('POST', `/v1/conversations/${id}/replies`, { componentId: 'desk', authorKind: 'agent', agentId: 'amy', text: 'Here is the contract.' });
    await s.call('POST', `/v1/conversations/${id}/replies`, { componentId: 'desk', authorKind: 'agent', agentId: 'amy', content: { type: 'media', media: { url: 'https://files.example.com/signed.pdf', name: 'signed.pdf' } } });
    await until('the agent\'s text and file link in the terminal', () => out.includes('<< Here is the contract.\n<< file: https://files.example.com/signed.pdf (signed.pdf, application/octet-stream)'));
    const failed = (await s.call('GET', '/v1/deliveries?targetKind=channel&state=failed')).body.items;
    expect(failed).toEqual([]);
  }, 30_000);
});
