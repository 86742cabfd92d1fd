import { createHash } from 'node:crypto';

/**
 * API keys are stored only as SHA-256 digests: a leaked database gives no usable key. Keys are
 * long random strings, so a fast hash is enough; the lookup is by digest, so no key is ever
 * compared byte by byte in a way whose timing depends on the secret.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
