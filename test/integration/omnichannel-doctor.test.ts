import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyConfig } from '../../src/config/apply-config.js';
import { loadConfigFile } from '../../src/config/load-config.js';
import { systemClock } from '../../src/core/clock.js';
import { HttpSender } from '../../src/delivery/http-sender.js';
import { ReachabilityChecker } from '../../src/delivery/reachability-checker.js';
import { rendererLookup } from '../../src/dialects/index.js';
import { LocalLiveBus } from '../../src/live/live-bus.js';
import { openStore } from '../../src/store/open-store.js';
import { startReceiver } from '../helpers/receiver.js';

const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'baton-omni-doctor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('baton doctor and an Omnichannel channel', () => {
  it('prints the channel\'s webhook address and the warning of its last check', async () => {
    const file = join(dir, 'baton.yaml');
    // A client server that is not there: it cuts every connection.
    const client = await startReceiver();
    client.setDown(true);
    writeFileSync(file, `
accounts:
  - id: shop
    channels:
      - { id: omni, kind: omnichannel, outboundUrl: "${client.url}/client", credentials: { inboundToken: doctor-token-0001 } }
`);
    const dataDir = join(dir, 'data');
    const store = openStore({ databaseUrl: null, dataDir });
    const sender = new HttpSender({ connectionsPerEndpoint: 1, connectTimeoutMs: 1000, addresses: { allowPrivate: false, allowLoopback: true } });
    try {
      await store.migrate();
      await applyConfig(store, loadConfigFile(file));
      await new ReachabilityChecker(store, sender, rendererLookup({ live: new LocalLiveBus() }), systemClock).checkAll({ warnedOnly: false });
    } finally {
      await sender.close();
      await store.close();
      await client.close();
    }
    const r = spawnSync(process.execPath, [MAIN, 'doctor', '--config', file], { encoding: 'utf8', env: { ...process.env, BATON_DATA_DIR: dataDir }, timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`channel   omni (omnichannel)  inbound: POST /connector/omnichannel/omnichannel_message/doctor-token-0001/bot_api_webhook  outbound: ${client.url}/client`);
    expect(r.stdout).toMatch(/\n {12}WARNING Can't reach channel: \S.* \(checked \d{4}-\d{2}-\d{2}T/);
    // A warning, not a failure: the channel is on and Baton keeps checking.
    expect(r.status).toBe(0);
  });
});
