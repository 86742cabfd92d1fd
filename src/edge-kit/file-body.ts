import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BatonError } from '../core/errors.js';
import { FILE_SIZE_CAP, type StoredFile, filePath, tooLarge } from '../core/files.js';
import type { MessageContent } from '../core/model.js';

/** The header that names an uploaded file, percent-encoded UTF-8 (header values are Latin-1 on the wire). */
export const FILE_NAME_HEADER = 'x-file-name';

/**
 * Makes `scope` take its bodies raw, whatever their Content-Type: an upload is the file itself
 * (`Content-Type: image/png`, the bytes as the body), not a form. A body that says it is larger
 * than the account takes (`limitOf`) is refused before it is read; one without a length stops at
 * Baton's cap, and its real size is checked again once read.
 *
 * @example await app.register(async (s) => { rawFileBodies(s, (req) => files.limitOf(accountOf(req))); s.post(...) });
 */
export function rawFileBodies(scope: FastifyInstance, limitOf: (req: FastifyRequest) => Promise<number>): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: FILE_SIZE_CAP }, (_req, body, done) => done(null, body));
  scope.addHook('preValidation', async (req) => {
    if (!Buffer.isBuffer(req.body)) throw new BatonError('validation_failed', 'Send the file as the request body, with its Content-Type (image/png, application/pdf, …).');
  });
  scope.addHook('preParsing', async (req) => {
    const length = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(length)) {
      const max = await limitOf(req);
      if (length > max) throw tooLarge(max);
    }
  });
}

/** The file's name from `x-file-name`, decoded; null when absent. Refused when it is not percent-encoded UTF-8. */
export function uploadedName(req: FastifyRequest): string | null {
  const raw = req.headers[FILE_NAME_HEADER];
  if (typeof raw !== 'string' || raw === '') return null;
  try {
    return decodeURIComponent(raw).slice(0, 1000);
  } catch {
    throw new BatonError('bad_request', `The ${FILE_NAME_HEADER} header must be the file name percent-encoded as UTF-8 (encodeURIComponent).`);
  }
}

/** Where the request's own client reaches Baton: the download URL bots and pages are given. */
export function originOf(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

/** A stored file as a message's media (what every dialect renders): Baton's download URL. */
export function fileMedia(file: StoredFile, origin: string): NonNullable<MessageContent['media']> {
  return { url: origin + filePath(file), contentType: file.contentType, name: file.name, size: file.size };
}

/** The upload's answer: the file, and the message that carried it. */
export function uploadAnswer(file: StoredFile, origin: string) {
  return { id: file.id, url: origin + filePath(file), name: file.name, type: file.contentType, size: file.size };
}
