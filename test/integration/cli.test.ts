import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'baton-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function baton(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, BATON_DATA_DIR: join(dir, 'data'), ...env }, timeout: 30_000 });
}

const GOOD = `
accounts:
  - id: acme
    apiKeys: [acme-key-0000000000000001]
    channels: [{ id: web, kind: native }]
    components: [{ id: bot, kind: bot, url: "http://127.0.0.1:9/bot" }, { id: desk, kind: desk }]
    services:
      - id: main
        channels: [web]
        rules: [{ id: r1, trigger: { event: message }, action: { type: bot+desk, bot: bot, desk: desk } }]
`;

describe('the baton command', () => {
  it('config check accepts a valid file', () => {
    const file = join(dir, 'good.yaml');
    writeFileSync(file, GOOD);
    const r = baton(['config', 'check', file]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('1 account(s): acme');
  });

  it('config check names every bad key by its path', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, GOOD.replace('kind: native', 'kind: telegraph').replace('bot: bot, desk: desk', 'bot: robot, desk: desk').replace('id: main', 'id: main\n        colour: blue'));
    const r = baton(['config', 'check', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('accounts[0].channels[0].kind: must be one of "native", "webchat", "omnichannel", "cm"');
    expect(r.stderr).toContain('accounts[0].services[0].colour: is not a known key');
  });

  it('config check reports rules that name components that do not exist', () => {
    const file = join(dir, 'dangling.yaml');
    writeFileSync(file, GOOD.replace('bot: bot, desk: desk', 'bot: robot, desk: desk'));
    const r = baton(['config', 'check', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('accounts[0].services[0].rules[0].action.bot: "robot" is not a bot component of this account');
  });

  it('migrate applies the migrations once', () => {
    const env = { BATON_DATA_DIR: join(dir, 'migrate') };
    expect(baton(['migrate'], env).stdout).toContain('Applied 001-initial');
    expect(baton(['migrate'], env).stdout).toContain('up to date');
  });

  it('doctor checks the store and prints what is configured', () => {
    const file = join(dir, 'doctor.yaml');
    writeFileSync(file, GOOD);
    const env = { BATON_DATA_DIR: join(dir, 'doctor') };
    baton(['migrate'], env);
    const r = baton(['doctor', '--config', file], env);
    expect(r.stdout).toContain('store      sqlite: reachable');
    expect(r.stdout).toContain('account acme');
    expect(r.stdout).toContain('channel   web (native)  inbound: POST /v1/channels/web/messages');
    expect(r.stdout).toContain('component bot (bot, native) active  -> http://127.0.0.1:9/bot');
  });

  it('start serves /docs and /healthz within 5 s and prints its addresses and the demo account', async () => {
    const started = Date.now();
    const child = spawn(process.execPath, [MAIN, 'start', '--port', '0'], { env: { ...process.env, BATON_DATA_DIR: join(dir, 'start'), BATON_LOG_LEVEL: 'warn' } });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /ready on (http:\/\/\S+)/.exec(out);
          if (m && out.includes('agent ')) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
        setTimeout(() => reject(new Error(`not ready in 5 s: ${out}`)), 5000);
      });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/docs/`)).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
