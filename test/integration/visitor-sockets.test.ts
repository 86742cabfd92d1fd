import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

const CONFIG = { accounts: [{ id: 'acme', channels: [{ id: 'site', kind: 'webchat' }], components: [{ id: 'inbox', kind: 'desk', dialect: 'inbox' }], defaultDesk: 'inbox' }] };

/** Resolves with the close code the server sent, or 'open' if it stayed open for `ms`. */
function closeCode(ws: WebSocket, ms: number): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve('open'), ms);
    ws.once('close', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

/** One client cannot hold the process's file descriptors with visitor sockets. */
describe('visitor sockets (SQLite is enough: this is the socket layer)', () => {
  let s: TestServer | undefined;
  const sockets: WebSocket[] = [];
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await s?.close();
    s = undefined;
  });

  const open = async () => {
    const ws = new WebSocket(`${s!.url.replace(/^http/, 'ws')}/chat/api/acme/site/socket`);
    sockets.push(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return ws;
  };

  it('closes sockets past 20 per client address at once, and frees a place when one closes', async () => {
    s = await startServer('sqlite', CONFIG);
    const held = [];
    for (let i = 0; i < 20; i++) held.push(await open());
    const extra = await open();
    expect(await closeCode(extra, 2000)).toBe(4429);
    held[0]!.close();
    await closeCode(held[0]!, 2000);
    const again = await open();
    expect(await closeCode(again, 300)).toBe('open');
  });

  it('closes a socket that does not say hello within 5 s', async () => {
    s = await startServer('sqlite', CONFIG);
    const silent = await open();
    const started = Date.now();
    expect(await closeCode(silent, 8000)).toBe(4401);
    expect(Date.now() - started).toBeLessThan(6500);
  }, 15_000);
});
