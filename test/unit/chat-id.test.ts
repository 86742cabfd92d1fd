import { describe, expect, it } from 'vitest';
import { CHAT_ID_NAMESPACE, chatId, uuidV5 } from '../../src/core/ids.js';

// Expected values computed outside this code base, with Python's standard library:
//   python3 -c "import uuid; print(uuid.uuid5(uuid.UUID('9f5d8f62-3b1e-4c7a-9e2d-1a6b0c4d8e73'), 'web\n+31600000001\nacme'))"
// and the first one cross-checked with `openssl sha1` over the namespace bytes and the name.
const KNOWN: [channelId: string, customer: string, business: string, id: string][] = [
  ['web', '+31600000001', 'acme', '0ef593af-7596-56d6-90c7-32b73aa6e783'],
  ['whatsapp', '31612345678', '31201234567', '6db1a154-b1eb-5723-ba4c-aecc29823a12'],
  // Precomposed (NFC) code points, an emoji outside the BMP and CJK: the name is hashed as UTF-8.
  ['cm-1', 'Zo\u00eb \u00dcn\u00efc\u00f8d\u00e9 \u{1F600}', '\u00c6r\u00f8sk\u00f8bing \u5546\u5e97', '05049fef-0b4d-5265-865d-2c4ba68a0f5d'],
];

const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('chatId', () => {
  it('derives under the namespace DESIGN.md section 4 names', () => {
    expect(CHAT_ID_NAMESPACE).toBe('9f5d8f62-3b1e-4c7a-9e2d-1a6b0c4d8e73');
  });

  it.each(KNOWN)('pins chatId(%j, %j, %j) to %s', (channelId, customer, business, id) => {
    expect(chatId(channelId, customer, business)).toBe(id);
  });

  it('hashes unicode names as UTF-8 without normalising them', () => {
    // The same visible name with a decomposed "e" + U+0308 is a different address, hence a different chat.
    expect(chatId('cm-1', 'Zoe\u0308 \u00dcn\u00efc\u00f8d\u00e9 \u{1F600}', '\u00c6r\u00f8sk\u00f8bing \u5546\u5e97')).toBe('44f7f16e-c2ec-5bca-906d-a0e0891b291d');
  });

  it('sets version 5 and the RFC 9562 variant on every id', () => {
    const ids = [...KNOWN.map(([c, f, t]) => chatId(c, f, t))];
    for (let i = 0; i < 200; i++) ids.push(chatId(`ch-${i}`, `+316${String(i).padStart(8, '0')}`, i % 2 ? 'acme' : '\u00e9'));
    for (const id of ids) {
      expect(id).toMatch(UUID_V5);
      expect(id[14]).toBe('5');
      expect('89ab').toContain(id[19]);
    }
  });

  it('is the same on every call', () => {
    expect(chatId('web', '+31600000001', 'acme')).toBe(chatId('web', '+31600000001', 'acme'));
  });

  it('tells the customer side from the business side', () => {
    expect(chatId('web', 'acme', '+31600000001')).not.toBe(chatId('web', '+31600000001', 'acme'));
  });

  it('differs per channel', () => {
    expect(chatId('web2', '+31600000001', 'acme')).not.toBe(chatId('web', '+31600000001', 'acme'));
  });
});

describe('uuidV5', () => {
  it("agrees with the well-known uuid5(NAMESPACE_DNS, 'python.org')", () => {
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });

  it('accepts an upper-case namespace', () => {
    expect(uuidV5('python.org', '6BA7B810-9DAD-11D1-80B4-00C04FD430C8')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(/not a UUID/);
  });
});
