import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

/**
 * OWASP's Password Storage Cheat Sheet lists equally strong minimums for scrypt (N=2^17 r=8 p=1,
 * N=2^16 r=8 p=2, N=2^15 r=8 p=3, ...). N=2^15 with p=3 is one of them and needs a quarter of the
 * memory of the first (32 MiB), which matters when several agents log in at once.
 */
export const SCRYPT_PARAMS = Object.freeze({ N: 32768, r: 8, p: 3 });
/** Parameters read from a stored hash are bounded, so a forged row cannot make a login take minutes. */
const MAX_N = 1 << 20;
const maxmem = (N: number, r: number): number => 128 * N * r + 16 * 1024 * 1024;

/** The shortest password baton.yaml and the admin page accept. */
export const PASSWORD_MIN_LENGTH = 8;

/** `scrypt$N$r$p$salt$hash`, all parameters kept so they can be raised later (see needsRehash). */
export async function hashPassword(password: string): Promise<string> {
  const { N, r, p } = SCRYPT_PARAMS;
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, { N, r, p, maxmem: maxmem(N, r) });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  const [N, R, P] = [Number(n), Number(r), Number(p)];
  if (scheme !== 'scrypt' || !salt || !hash || !(N > 1 && N <= MAX_N) || !(R >= 1 && R <= 32) || !(P >= 1 && P <= 16)) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, { N, r: R, p: P, maxmem: maxmem(N, R) });
  return timingSafeEqual(actual, expected);
}

/** True when a stored hash was made with other parameters than today's: hash it again at the next login. */
export function needsRehash(stored: string): boolean {
  const { N, r, p } = SCRYPT_PARAMS;
  return !stored.startsWith(`scrypt$${N}$${r}$${p}$`);
}
