import { describe, expect, it } from 'vitest';
import { checkUpload } from '../../src/core/files.js';
import { safeFileName, sniffFileType } from '../../src/core/file-types.js';
import { isBatonError } from '../../src/core/errors.js';
import { pdf, png } from '../helpers/sample-files.js';
import { validateConfig } from '../../src/config/load-config.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return null;
  } catch (err) {
    return isBatonError(err) ? err.code : String(err);
  }
};

describe('what an uploaded file is, by its bytes', () => {
  it('knows the accepted types by their first bytes', () => {
    expect(sniffFileType(png(1, 1))).toBe('image/png');
    expect(sniffFileType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('image/jpeg');
    expect(sniffFileType(Buffer.from('GIF89a\x01\x00', 'latin1'))).toBe('image/gif');
    expect(sniffFileType(Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('image/webp');
    expect(sniffFileType(pdf())).toBe('application/pdf');
    for (const other of ['<svg xmlns="http://www.w3.org/2000/svg"/>', '<html>', 'PK\x03\x04', 'RIFF\x24\x00\x00\x00WAVE', '\x89PNG', '']) expect(sniffFileType(Buffer.from(other, 'latin1')), other).toBeNull();
  });

  it('refuses a claim the bytes do not bear out, an empty file and one over the limit', () => {
    expect(checkUpload({ bytes: png(1, 1), declaredType: 'image/png', name: 'a.png' }, 1000)).toEqual({ contentType: 'image/png', name: 'a.png' });
    expect(checkUpload({ bytes: png(1, 1), declaredType: 'application/octet-stream', name: null }, 1000)).toEqual({ contentType: 'image/png', name: 'file.png' });
    expect(codeOf(() => checkUpload({ bytes: Buffer.from('hello'), declaredType: 'image/png', name: 'a.png' }, 1000))).toBe('file_type_refused');
    expect(codeOf(() => checkUpload({ bytes: pdf(), declaredType: 'image/png', name: 'a.png' }, 10_000))).toBe('file_type_refused');
    expect(codeOf(() => checkUpload({ bytes: Buffer.alloc(0), declaredType: 'image/png', name: 'a.png' }, 1000))).toBe('validation_failed');
    expect(codeOf(() => checkUpload({ bytes: png(20, 20), declaredType: 'image/png', name: 'a.png' }, 10))).toBe('file_too_large');
  });

  it('keeps names safe to store and send back', () => {
    expect(safeFileName('../../etc/passwd', 'application/pdf')).toBe('passwd.pdf');
    expect(safeFileName('C:\\Users\\me\\photo.jpg', 'image/jpeg')).toBe('photo.jpg');
    expect(safeFileName('a\u0000b\r\nc"<>.png', 'image/png')).toBe('a b c.png');
    expect(safeFileName('...', 'image/gif')).toBe('file.gif');
    expect(safeFileName(null, 'image/webp')).toBe('file.webp');
    expect(safeFileName('Rechnung März.pdf', 'application/pdf')).toBe('Rechnung März.pdf');
    const long = safeFileName(`${'x'.repeat(300)}.pdf`, 'application/pdf');
    expect(long.length).toBe(120);
    expect(long.endsWith('.pdf')).toBe(true);
  });
});

describe('files.maxSize in baton.yaml', () => {
  const cfg = (files: unknown, global?: unknown) => ({ ...(global ? { files: global } : {}), accounts: [{ id: 'acme', files }, { id: 'plain' }] });
  it('takes bytes, KB or MB, per account over the top-level default', () => {
    const c = validateConfig(cfg({ maxSize: '20MB' }, { maxSize: 512 * 1024 }));
    expect(c.accounts.map((a) => a.account.files)).toEqual([{ maxBytes: 20 * 1024 * 1024 }, { maxBytes: 512 * 1024 }]);
    expect(validateConfig(cfg({ maxSize: '512KB' })).accounts[1]!.account.files).toBeUndefined();
  });
  it('refuses what is not a size, or more than Baton takes', () => {
    for (const maxSize of ['10 GB', '1.5MB', 'lots', '200MB', 0]) {
      expect(() => validateConfig(cfg({ maxSize })), String(maxSize)).toThrow(/maxSize|files/);
    }
  });
});
