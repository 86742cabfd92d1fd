import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { BatonError } from '../core/errors.js';
import { type Files, isInline } from '../core/files.js';

const Params = Type.Object({
  accountId: Type.String({ minLength: 1, maxLength: 200 }),
  id: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }),
  name: Type.String({ maxLength: 1000 }),
});

/** RFC 6266: a plain ASCII fallback, and the real name as UTF-8 in `filename*`. */
function disposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Downloads of uploaded files, for the pages, the bots and the channels, with no session or key:
 * the 256-bit random id in the path is what grants reading (README "Files" says why no signature).
 * Images are shown in place, PDFs saved; the sandbox keeps a file opened in a tab from running
 * anything as Baton's origin.
 */
export async function fileRoutes(app: FastifyInstance, deps: { files: Files }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/files/:accountId/:id/:name', { schema: { tags: ['files'], summary: 'An uploaded file (the id is the capability)', params: Params }, logLevel: 'warn' }, async (req, reply) => {
    const found = await deps.files.get(req.params.accountId, req.params.id);
    if (!found) throw new BatonError('file_not_found', 'No such file: it may have been erased, or deleted with its conversation.');
    const { file, bytes } = found;
    const etag = `"${file.sha256}"`;
    void reply
      .header('content-type', file.contentType)
      .header('content-disposition', disposition(isInline(file.contentType) ? 'inline' : 'attachment', file.name))
      .header('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
      .header('x-content-type-options', 'nosniff')
      // The bytes under an id never change; private, and not for long, so an erased file leaves caches soon.
      .header('cache-control', 'private, max-age=3600')
      .header('etag', etag);
    if (req.headers['if-none-match'] === etag) return reply.status(304).send();
    return reply.send(bytes);
  });
}
