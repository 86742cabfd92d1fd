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

  it('doctor prints a webhook URL whole from the file, a generated one when it makes it, and redacted after', () => {
    const named = join(dir, 'imi-named.yaml');
    const generated = join(dir, 'imi-generated.yaml');
    const imi = (secrets: string) => `accounts:\n  - id: acme\n    channels: [{ id: web, kind: native }]\n    components: [{ id: imibot, kind: bot, dialect: imi, url: "http://127.0.0.1:9/imi", options: { kind: imi-bot }, secrets: ${secrets} }]\n`;
    writeFileSync(named, imi('{ inboundToken: doctor-imi-token-0000000001 }'));
    writeFileSync(generated, imi('{}'));
    const env = { BATON_DATA_DIR: join(dir, 'doctor-imi') };
    baton(['migrate'], env);
    expect(baton(['doctor', '--config', named], env).stdout).toContain('webhook: POST /imi/webhook/doctor-imi-token-0000000001');
    // Left out of the file later, the token stays what it was: the store knows it by its digest only.
    expect(baton(['doctor', '--config', generated], env).stdout).toContain('webhook: POST /imi/webhook/[redacted]');
    baton(['migrate'], { BATON_DATA_DIR: join(dir, 'doctor-imi-2') });
    Object.assign(env, { BATON_DATA_DIR: join(dir, 'doctor-imi-2') });
    const first = baton(['doctor', '--config', generated], env).stdout;
    expect(first).toMatch(/webhook: POST \/imi\/webhook\/[\w-]{32}/);
    expect(baton(['doctor', '--config', generated], env).stdout).toContain('webhook: POST /imi/webhook/[redacted]');
  });

  it('start serves /docs and /healthz within 5 s and prints its addresses and the demo account', async () => {
    const started = Date.now();
    const child = spawn(process.execPath, [MAIN, 'start', '--port', '0'], { env: { ...process.env, BATON_DATA_DIR: join(dir, 'start'), BATON_LOG_LEVEL: 'warn' } });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
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
      // Said first: the demo's credentials are published.
      expect(out.split('\n')[0]).toBe('DEMO MODE: no --config given, so Baton runs the built-in demo account with PUBLISHED credentials.');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
