import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, rmdirSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BatonHome, batonHome, callBaton, type ChildBaton, waitUntil } from '../helpers/child-baton.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { readWebhookLog } from '../helpers/webhook-log.js';

const KEY = 'diskfull-key-00000000000001';
const CONVERSATIONS = 3;
const BEFORE = 10;

/** A size-limited filesystem for the data directory; null (and a reason) where mounting is refused. */
function mountSmallDisk(): { dir: string } | { refused: string } {
  const dir = mkdtempSync(join(tmpdir(), 'baton-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (err) {
    rmdirSync(dir);
    return { refused: (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message };
  }
}

/** Writes zeros until the filesystem refuses: the disk is full to the last block. */
function fill(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOSPC') throw err;
  }
  // The last blocks a 64 KiB chunk did not fit in.
  try {
    for (;;) writeSync(fd, chunk, 0, 512);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

/** The child's CPU time in seconds (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const disk = mountSmallDisk();
if ('refused' in disk) console.warn(`disk-full test skipped: mounting a tmpfs was refused (${disk.refused}); it needs root or CAP_SYS_ADMIN`);

describe.skipIf('refused' in disk)('SQLite on a full disk', () => {
  const mnt = 'dir' in disk ? disk.dir : '';
  let home: BatonHome | undefined;
  let bot: Receiver | undefined;
  afterAll(async () => {
    try {
      await home?.dispose();
      await bot?.close();
    } finally {
      execFileSync('umount', [mnt]);
      rmdirSync(mnt);
    }
  });

  it('answers 503 store_full with Retry-After, stores nothing it refused, stays up, and resumes in order when space returns', async () => {
    bot = await startReceiver(() => ({ status: 200 }));
    home = batonHome('sqlite', {
      accounts: [{
        id: 'acme',
        apiKeys: [KEY],
        channels: [{ id: 'web', kind: 'native' }],
        components: [{ id: 'bot', kind: 'bot', url: `${bot.url}/bot`, retry: { schedule: ['200ms', '200ms', '200ms', '500ms', '1s', '1s', '1s', '1s', '1s', '1s'], timeout: '5s', jitter: 0, breakAfter: 0, onExhausted: 'block' } }],
        services: [{ id: 'main', channels: ['web'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot', bot: 'bot' } }] }],
      }],
    }, { BATON_DATA_DIR: join(mnt, 'data'), BATON_DELIVERY_POLL_MS: '200', BATON_DELIVERY_LEASE_MS: '2000' });
    const live: ChildBaton = await home.start();
    const post = (customer: string, text: string) => callBaton(live.url, KEY, 'POST', '/v1/channels/web/messages', { customer, text });

    // Accepted before the fault: sent one after the other per conversation, not waited for.
    const accepted = new Map<string, string[]>();
    const conversationOf = new Map<string, string>();
    for (let i = 0; i < BEFORE; i++) {
      for (let c = 0; c < CONVERSATIONS; c++) {
        const customer = `full-${c}`;
        const res = await post(customer, `${customer}/${i}`);
        expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
        accepted.set(customer, [...(accepted.get(customer) ?? []), res.body.message.id]);
        conversationOf.set(customer, res.body.conversation.id);
      }
    }

    const filler = join(mnt, 'filler');
    fill(filler);
    expect(statfsSync(mnt).bavail).toBe(0);

    // The WAL may still have room a checkpoint left; what fits is stored and counts as accepted.
    let refused: Awaited<ReturnType<typeof post>> | null = null;
    for (let i = 0; i < 200 && !refused; i++) {
      const res = await post('full-0', `while-full/${i}`);
      if (res.status < 300) accepted.get('full-0')!.push(res.body.message.id);
      else refused = res;
    }
    expect(refused, 'no write was refused on a full disk').not.toBeNull();
    expect(refused!.status, live.output().slice(-3000)).toBe(503);
    expect(refused!.body.error).toMatchObject({ code: 'store_full', details: { retryAfterSeconds: 10 } });

    // A refused request changed nothing: the conversation's log does not move.
    const conv = conversationOf.get('full-1')!;
    const before = await callBaton(live.url, KEY, 'GET', `/v1/conversations/${conv}`);
    expect(before.status).toBe(200);
    const again = await fetch(`${live.url}/v1/channels/web/messages`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ customer: 'full-1', text: 'refused' }) });
    expect(again.status).toBe(503);
    expect(again.headers.get('retry-after')).toBe('10');
    await again.text();
    expect((await callBaton(live.url, KEY, 'GET', `/v1/conversations/${conv}`)).body.conversation.lastSeq).toBe(before.body.conversation.lastSeq);

    // Not ready while writes fail; still alive, and not spinning on the failing commits.
    const ready = await fetch(`${live.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { error: { code: string } }).error.code).toBe('store_full');
    expect((await fetch(`${live.url}/healthz`)).status).toBe(200);
    const cpuBefore = cpuSeconds(live.pid);
    await new Promise((r) => setTimeout(r, 3000));
    const busy = (cpuSeconds(live.pid) - cpuBefore) / 3;
    expect(busy, `the process used ${Math.round(busy * 100)}% of a core while the disk was full`).toBeLessThan(0.5);
    expect((await post('full-2', 'still full')).status).toBe(503);

    // A burst is committed in one group-commit batch; when the batch fails, each command is tried
    // on its own, and each answers 503 (or, if it fit after all, is accepted like any other).
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => post(`burst-${i}`, 'still full')));
    for (const [i, res] of burst.entries()) {
      if (res.status < 300) accepted.set(`burst-${i}`, [res.body.message.id]);
      else expect(res.body.error?.code, JSON.stringify(res.body)).toBe('store_full');
    }
    expect(burst.filter((r) => r.status === 503).length).toBeGreaterThan(0);

    // Space returns: the next request is accepted, /readyz is ready again, without a restart.
    // /readyz is asked first: a process out of a load balancer's rotation gets no traffic to tell it.
    rmSync(filler);
    expect((await fetch(`${live.url}/readyz`)).status).toBe(200);
    const after = await post('full-2', 'after');
    expect(after.status, JSON.stringify(after.body)).toBeLessThan(300);
    accepted.get('full-2')!.push(after.body.message.id);

    // Everything accepted reaches the bot, in the order it was accepted; a redelivery of an
    // attempt whose outcome could not be recorded carries its original webhook-id.
    const acceptedIds = new Set([...accepted.values()].flat());
    const arrived = () => new Set(bot!.received.filter((r) => r.json?.type === 'message.received').map((r) => r.json.message.id as string));
    await waitUntil(async () => {
      if (![...acceptedIds].every((id) => arrived().has(id))) return false;
      const backlog = await callBaton(live.url, KEY, 'GET', '/v1/deliveries?state=pending&limit=1');
      return backlog.status === 200 && backlog.body.items.length === 0;
    }, 60_000, () => `${[...acceptedIds].filter((id) => !arrived().has(id)).length} of ${acceptedIds.size} accepted messages not delivered`);
    const log = readWebhookLog(bot.received);
    console.log(`[disk full] ${acceptedIds.size} accepted, ${log.count} distinct webhooks, ${log.duplicates.length} redelivered with their id, ${Math.round(busy * 100)}% CPU while full`);
    expect(log.gaps).toEqual([]);
    expect(log.outOfOrder).toEqual([]);
    expect(log.idMismatches).toEqual([]);
    for (const [customer, ids] of accepted) {
      const firsts = [...log.firsts.values()].flat().filter((r) => r.json.customer === customer && r.json.type === 'message.received').map((r) => r.json.message.id as string);
      expect(firsts, customer).toEqual(ids);
    }
    // Nothing refused was stored, so nothing refused was delivered.
    expect(bot.received.filter((r) => r.json?.message?.content?.text === 'refused')).toEqual([]);
    expect(bot.received.filter((r) => r.json?.message?.content?.text === 'still full' && !acceptedIds.has(r.json.message.id))).toEqual([]);
    expect((await callBaton(live.url, KEY, 'GET', '/v1/deliveries?state=failed&limit=1')).body.items).toEqual([]);
  }, 120_000);
});
