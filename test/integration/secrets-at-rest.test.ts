import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { bootOn, http, type StorePlace } from '../helpers/boot.js';
import { dropSchema, engines, freshSchemaName, PG_URL } from '../helpers/engines.js';
import { omnichannelFixture } from '../helpers/omnichannel.js';

const KEY = 'vault-api-key-000000000001';
// What callers present to Baton: the store may keep only their digests.
const INBOUND = {
  imiWebhook: 'vault-imi-webhook-token-0001',
  omniInbound: 'vault-omni-inbound-token-0001',
  cmMo: 'vault-cm-mo-token-000000001',
  engageAccess: 'vault-engage-access-token-01',
  cmProduct: 'vault-cm-product-token-00001',
};
// What Baton presents to others (signs or calls with): kept, or Baton could not send.
const WEBHOOK_SECRET = `whsec_${Buffer.from('vault-webhook-secret-0123456789').toString('base64')}`;

function config(over: { imiToken?: boolean } = {}) {
  return {
    accounts: [{
      id: 'vault',
      apiKeys: [KEY],
      channels: [
        { id: 'api', kind: 'native' },
        { id: 'omni', kind: 'omnichannel', outboundUrl: 'http://127.0.0.1:9/client', credentials: { inboundToken: INBOUND.omniInbound, webhookToken: 'vault-omni-outbound-token' } },
        { id: 'omni2', kind: 'omnichannel', outboundUrl: 'http://127.0.0.1:9/client2' },
        { id: 'guarded', kind: 'cm', address: '+3197010203041', credentials: { inboundToken: INBOUND.cmMo } },
      ],
      components: [
        { id: 'bot', kind: 'bot', url: 'http://127.0.0.1:9/bot', secrets: { webhookSecret: WEBHOOK_SECRET } },
        { id: 'imibot', kind: 'bot', dialect: 'imi', url: 'http://127.0.0.1:9/imi', options: { kind: 'imi-bot' }, secrets: over.imiToken === false ? {} : { inboundToken: INBOUND.imiWebhook } },
        { id: 'engbot', kind: 'bot', dialect: 'engage', url: 'http://127.0.0.1:9/engage', secrets: { accessToken: INBOUND.engageAccess } },
        { id: 'cmbot', kind: 'bot', dialect: 'cm', url: 'http://127.0.0.1:9/cm', secrets: { productToken: INBOUND.cmProduct } },
        { id: 'desk', kind: 'desk', dialect: 'inbox' },
      ],
      services: [{ id: 'main', channels: ['api', 'omni', 'omni2', 'guarded'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'desk', desk: 'desk' } }] }],
    }],
  };
}

/** Every byte the store has written: the SQLite files of the data directory, or every row of the schema as text. */
async function storedBytes(place: StorePlace): Promise<string> {
  if (place.engine === 'sqlite') return readdirSync(place.dataDir).map((f) => readFileSync(join(place.dataDir, f)).toString('latin1')).join('\n');
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ table_name: string }>('select table_name from information_schema.tables where table_schema = $1', [place.schema]);
    const parts: string[] = [];
    for (const { table_name } of tables) {
      const { rows } = await client.query<{ row: string }>(`select row_to_json(t)::text as row from "${place.schema}"."${table_name}" t`);
      parts.push(...rows.map((r) => r.row));
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}

describe.each(engines)('inbound secrets at rest on $name', (engine) => {
  let place: StorePlace;
  const running: { close(): Promise<void> }[] = [];
  const start = async (cfg: unknown) => {
    const b = await bootOn(place, cfg);
    running.push(b.baton);
    return b;
  };
  const stop = async () => {
    while (running.length) await running.pop()!.close();
  };
  afterEach(async () => {
    await stop();
    rmSync(place.dataDir, { recursive: true, force: true });
    if (place.schema) await dropSchema(place.schema);
  });

  it('keeps inbound tokens only as digests: they work, their addresses print from the file, and no byte of the store holds them', async () => {
    place = { engine: engine.name, dataDir: mkdtempSync(join(tmpdir(), 'baton-vault-')), ...(engine.name === 'postgres' ? { schema: freshSchemaName() } : {}) };
    let { url, baton } = await start(config());
    const bearer = { authorization: `Bearer ${KEY}` };
    // Each still opens what it opens.
    expect((await http(`${url}/1.0/status?access_token=${INBOUND.engageAccess}`, 'GET')).status).toBe(200);
    const cm = await http(`${url}/conversational/control/v1/accounts/vault/sessions/mutations`, 'POST', { ChatId: '00000000-0000-5000-8000-000000000000', Mutations: [] }, { 'x-cm-producttoken': INBOUND.cmProduct });
    expect(cm.status).not.toBe(401);
    const omni = await fetch(`${url}/connector/omnichannel/omnichannel_message/${INBOUND.omniInbound}/bot_api_webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: omnichannelFixture('text-message', { messageId: 'm1', text: 'hi' }) });
    expect(omni.status).toBe(200);
    const mo = (token: string) => http(`${url}/conversational/channels/vault/guarded/mo?token=${token}`, 'POST', { from: { number: '+31611111111', name: null }, to: { number: '+3197010203041', name: null }, message: { text: 'hi', media: null, custom: {} }, reference: 'r-1', channel: 'WhatsApp' });
    expect((await mo('not-it')).status).toBe(401);
    expect((await mo(INBOUND.cmMo)).status).toBe(200);
    // Addresses that carry a token the file names are printed whole; a generated one too, by the process that made it.
    const components = await http(`${url}/v1/components`, 'GET', undefined, bearer);
    expect(components.body.items.find((c: { id: string }) => c.id === 'imibot').inboundUrl).toBe(`${url}/imi/webhook/${INBOUND.imiWebhook}`);
    const channels = await http(`${url}/v1/channels`, 'GET', undefined, bearer);
    const inboundUrl = (id: string) => channels.body.items.find((c: { id: string }) => c.id === id).inboundUrl as string;
    expect(inboundUrl('omni')).toBe(`${url}/connector/omnichannel/omnichannel_message/${INBOUND.omniInbound}/bot_api_webhook`);
    const generated = /omnichannel_message\/([\w-]{32})\//.exec(inboundUrl('omni2'))![1]!;
    expect(baton.addresses.generated).toContainEqual({ ownerKind: 'channel', accountId: 'vault', id: 'omni2' });
    await stop();

    // Started again with a file that names no IMI token: the old one stays (by digest), shown redacted.
    ({ url } = await start(config({ imiToken: false })));
    const again = await http(`${url}/v1/components`, 'GET', undefined, bearer);
    expect(again.body.items.find((c: { id: string }) => c.id === 'imibot').inboundUrl).toBe(`${url}/imi/webhook/[redacted]`);
    const channelsAgain = await http(`${url}/v1/channels`, 'GET', undefined, bearer);
    expect(channelsAgain.body.items.find((c: { id: string }) => c.id === 'omni2').inboundUrl).toBe(`${url}/connector/omnichannel/omnichannel_message/[redacted]/bot_api_webhook`);
    const still = await fetch(`${url}/connector/omnichannel/omnichannel_message/${generated}/bot_api_webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: omnichannelFixture('text-message', { messageId: 'm2', text: 'hi' }) });
    expect(still.status).toBe(200);
    await stop();

    const bytes = await storedBytes(place);
    for (const [name, token] of Object.entries({ ...INBOUND, generated })) expect(bytes.includes(token), name).toBe(false);
    // The scan sees what is there: the outbound secrets Baton signs and calls with are kept.
    expect(bytes.includes(WEBHOOK_SECRET)).toBe(true);
    expect(bytes.includes('vault-omni-outbound-token')).toBe(true);
  }, 60_000);
});
