import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Headers every answer carries. Pages set their own Content-Security-Policy (the chat page may be
 * framed by any site); everything else is data that no browser should render, frame or sniff.
 */
export async function securityHeaders(_req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  void reply.header('x-content-type-options', 'nosniff');
  void reply.header('referrer-policy', 'no-referrer');
  if (!reply.hasHeader('content-security-policy')) {
    void reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    void reply.header('x-frame-options', 'DENY');
  }
  return payload;
}
