import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks signatures: `v1,` + base64 HMAC-SHA256 of `${id}.${timestamp}.${body}` under
 * the secret's bytes (the part after `whsec_`, base64). During a rotation both secrets sign, so a
 * receiver holding either one verifies.
 */
export function signatureHeaders(secrets: string[], id: string, timestamp: number, body: string): Record<string, string> {
  const signatures = secrets.map((secret) => {
    const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
    return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
  });
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), ...(signatures.length > 0 ? { 'webhook-signature': signatures.join(' ') } : {}) };
}

/** A fresh secret in the `whsec_` form receivers expect. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}
