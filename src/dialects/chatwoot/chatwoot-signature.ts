import { createHmac } from 'node:crypto';

/**
 * How current Chatwoot signs a webhook to an agent bot with a secret (lib/webhooks/trigger.rb):
 * `X-Chatwoot-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` under the secret, with
 * `X-Chatwoot-Timestamp` (Unix seconds, new on each attempt) and `X-Chatwoot-Delivery` (one id per
 * webhook, the same on every retry), sent unsigned when the bot has no secret.
 */
export function chatwootSignatureHeaders(secret: string | undefined, delivery: string, timestamp: number, body: string): Record<string, string> {
  const headers: Record<string, string> = { 'x-chatwoot-delivery': delivery, 'x-chatwoot-timestamp': String(timestamp) };
  if (secret) headers['x-chatwoot-signature'] = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
  return headers;
}
