import { describe, expect, it } from 'vitest';
import { multipartFields, urlEncodedFields } from '../../src/edge-kit/form-data.js';

const body = (...lines: (string | Buffer)[]) => Buffer.concat(lines.map((l) => (typeof l === 'string' ? Buffer.from(l) : l)));

describe('multipart/form-data text fields', () => {
  it('reads fields in order, repeated names as lists, a quoted boundary, a preamble, and reports files without their bytes', () => {
    const b = body('preamble\r\n--AaB03x\r\n', 'Content-Disposition: form-data; name="content"\r\n\r\nHello\r\nworld ✓\r\n', '--AaB03x\r\n', 'Content-Disposition: form-data; name="tag"\r\n\r\na\r\n--AaB03x\r\n', 'Content-Disposition: form-data; name="tag"\r\n\r\nb\r\n--AaB03x\r\n',
      'Content-Disposition: form-data; name="__proto__"\r\n\r\nx\r\n--AaB03x\r\n', 'Content-Disposition: form-data; name="attachments[]"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--AaB03x--\r\n');
    const form = multipartFields(b, 'multipart/form-data; boundary="AaB03x"');
    expect({ ...form.fields }).toEqual({ content: 'Hello\r\nworld ✓', tag: ['a', 'b'], ['__proto__']: 'x' });
    expect(Object.getPrototypeOf(form.fields)).toBeNull();
    expect(form.files).toEqual([{ field: 'attachments[]', filename: 'a.pdf', contentType: 'application/pdf', size: 4 }]);
  });

  it.each([
    ['no boundary', body('--x\r\n\r\n--x--'), 'multipart/form-data'],
    ['a boundary that never occurs', body('hello'), 'multipart/form-data; boundary=x'],
    ['a part never closed', body('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nopen'), 'multipart/form-data; boundary=x'],
    ['a part without a name', body('--x\r\nContent-Type: text/plain\r\n\r\nv\r\n--x--'), 'multipart/form-data; boundary=x'],
    ['a field that is not UTF-8', body('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n', Buffer.from([0xc3, 0x28]), '\r\n--x--'), 'multipart/form-data; boundary=x'],
  ])('refuses %s with bad_request', (_what, b, type) => {
    expect(() => multipartFields(b, type)).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });
});

describe('URL-encoded fields', () => {
  it('reads + as a space and percent-encoded UTF-8, and refuses what is not UTF-8', () => {
    expect({ ...urlEncodedFields(Buffer.from('content=hi+there%E2%9C%93&private=true&private=1')) }).toEqual({ content: 'hi there✓', private: ['true', '1'] });
    expect(() => urlEncodedFields(Buffer.from('content=%C3%28'))).toThrow(expect.objectContaining({ code: 'bad_request' }));
    expect(() => urlEncodedFields(Buffer.from([0x61, 0x3d, 0xff]))).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });
});
