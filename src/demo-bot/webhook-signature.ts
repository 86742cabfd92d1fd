import { timingSafeEqual } from 'node:crypto';
import { signatureHeaders } from '../edge-kit/signing.js';

const TOLERANCE_SECONDS = 5 * 60;

/**
 * Checks a Standard Webhooks signature (`webhook-id`, `webhook-timestamp`, `webhook-signature`)
 * over the raw body with the receiver's secret, as any native-dialect receiver should: the
 * timestamp must be within five minutes (no replays of old captures) and one `v1,` signature must
 * match.
 */
export function verifyWebhook(secret: string, headers: Record<string, string | string[] | undefined>, body: string, now: Date): boolean {
  const id = one(headers['webhook-id']);
  const timestamp = Number(one(headers['webhook-timestamp']));
  const sent = one(headers['webhook-signature']);
  if (!id || !sent || !Number.isInteger(timestamp)) return false;
  if (Math.abs(now.getTime() / 1000 - timestamp) > TOLERANCE_SECONDS) return false;
  const expected = Buffer.from(signatureHeaders([secret], id, timestamp, body)['webhook-signature']!);
  return sent.split(' ').some((candidate) => {
    const c = Buffer.from(candidate);
    return c.length === expected.length && timingSafeEqual(c, expected);
  });
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
