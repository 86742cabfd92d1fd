import { createHash, randomFillSync } from 'node:crypto';

/** DESIGN.md section 4: the namespace every chatId is derived under. */
export const CHAT_ID_NAMESPACE = '9f5d8f62-3b1e-4c7a-9e2d-1a6b0c4d8e73';

function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`not a UUID: ${uuid}`);
  return Buffer.from(hex, 'hex');
}

function formatUuid(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** RFC 9562 name-based UUID, version 5 (SHA-1). */
export function uuidV5(name: string, namespace: string): string {
  const hash = createHash('sha1').update(uuidBytes(namespace)).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return formatUuid(bytes);
}

/**
 * The conversation id of a chat: the same on every instance, for ever, with no lookup, and the
 * same whichever way a message goes, because the caller names the customer and business sides
 * explicitly (CM: "the hash of the channel + from + to fields transposed to a guid").
 *
 * @example chatId('web', '+31600000001', 'acme') // '…-5…' (version-5 UUID)
 */
export function chatId(channelId: string, customer: string, business: string): string {
  return uuidV5(`${channelId}\n${customer}\n${business}`, CHAT_ID_NAMESPACE);
}

/**
 * The id of a conversation's `number`th thread (DESIGN.md section 4; Engage `thread_id`): the
 * first thread's is the conversation's own, later ones add their number, so a thread id names its
 * conversation with no look-up and stays the same for ever.
 *
 * @example threadId('5450282c-…', 1) // '5450282c-…'; threadId('5450282c-…', 2) // '5450282c-….2'
 */
export function threadId(conversationId: string, number: number): string {
  return number <= 1 ? conversationId : `${conversationId}.${number}`;
}

/** The conversation and number a thread id names; a conversation id is its first thread. */
export function parseThreadId(id: string): { conversationId: string; number: number } {
  const m = /^(.+)\.([1-9][0-9]{0,8})$/.exec(id);
  return m && Number(m[2]) >= 2 ? { conversationId: m[1]!, number: Number(m[2]) } : { conversationId: id, number: 1 };
}

const v7 = Buffer.alloc(16);
let lastMs = 0;
let counter = 0;
// One call into the random source for 512 ids rather than one per id: it was 4% of the CPU of a
// round trip at a steady rate.
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/**
 * Ids for sessions, messages and deliveries: UUIDv7 (RFC 9562), time first, 62 random bits last.
 * Rows inserted one after another land on the same last page of each id index instead of a random
 * page per row, which writes several times fewer pages per commit than random v4 ids. A 12-bit
 * counter keeps ids made in the same millisecond in order; none of these ids is a secret.
 */
export function newId(): string {
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    counter = 0;
  } else if (++counter > 0xfff) {
    lastMs += 1;
    counter = 0;
  }
  ms = lastMs;
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  pool.copy(v7, 8, poolAt, poolAt + 8);
  poolAt += 8;
  v7.writeUIntBE(ms, 0, 6);
  v7[6] = 0x70 | (counter >> 8);
  v7[7] = counter & 0xff;
  v7[8] = 0x80 | (v7[8]! & 0x3f);
  const h = v7.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * A positive integer of at most 48 bits derived from `name`: the same for ever, with no look-up,
 * for protocols whose ids are integers (Chatwoot). 48 bits keep it exact in every JSON reader
 * and make two names of one account sharing a number a one-in-a-billion event at millions of names.
 *
 * @example stableNumber('5450282c-…') // 187339265311042
 */
export function stableNumber(name: string): number {
  return (createHash('sha256').update(name, 'utf8').digest().readUIntBE(0, 6) % (2 ** 48 - 1)) + 1;
}

/** A conversation's integer id (`conversations.number`, found by Queries.conversationByNumber). */
export function conversationNumber(conversationId: string): number {
  return stableNumber(conversationId);
}
