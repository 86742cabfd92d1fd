import { describe, expect, it } from 'vitest';
import { guardedLookup, refusal, urlRefusal } from '../../src/delivery/address-policy.js';

const strict = { allowPrivate: false, allowLoopback: false };
const open = { allowPrivate: true, allowLoopback: true };

describe('the webhook address policy', () => {
  it.each(['169.254.169.254', '169.254.1.1', 'fe80::1', 'fd00:ec2::254', '100.100.100.200', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '64:ff9b::a9fe:a9fe', '64:ff9b::169.254.169.254', '64:ff9b::6464:64c8'])('never allows %s, whatever the operator says', (ip) => {
    expect(refusal(ip, open)).toMatch(/link-local or cloud metadata/);
  });

  it.each(['10.1.2.3', '172.16.0.9', '172.31.255.255', '192.168.1.1', '100.64.0.1', 'fd12:3456::1', '::ffff:10.0.0.1'])('refuses the private address %s unless allowed', (ip) => {
    expect(refusal(ip, strict)).toMatch(/private range/);
    expect(refusal(ip, open)).toBeNull();
  });

  it.each(['0.0.0.0', '0.1.2.3', '::', '0:0:0:0:0:0:0:0', '::ffff:0.0.0.0', '64:ff9b::'])('never allows the unspecified address %s, which reaches this host', (ip) => {
    expect(refusal(ip, open)).toMatch(/unspecified address/);
  });

  it('checks a NAT64 address (64:ff9b::/96) as the IPv4 address it embeds', () => {
    expect(refusal('64:ff9b::7f00:1', strict)).toMatch(/loopback/);
    expect(refusal('64:ff9b::a00:1', strict)).toMatch(/private range/);
    expect(refusal('64:ff9b::808:808', strict)).toBeNull();
  });

  it('treats loopback as its own switch', () => {
    expect(refusal('127.0.0.1', strict)).toMatch(/loopback/);
    expect(refusal('::1', strict)).toMatch(/loopback/);
    expect(refusal('127.0.0.1', { allowPrivate: false, allowLoopback: true })).toBeNull();
  });

  it.each(['8.8.8.8', '172.32.0.1', '2606:4700::1111'])('allows the public address %s', (ip) => {
    expect(refusal(ip, strict)).toBeNull();
  });

  it('checks URLs before any lookup: scheme, metadata host names and literal addresses', () => {
    expect(urlRefusal('ftp://example.com/x', open)).toMatch(/ftp: URLs are not allowed/);
    expect(urlRefusal('http://metadata.google.internal/computeMetadata/v1/', open)).toMatch(/metadata host/);
    expect(urlRefusal('http://169.254.169.254/latest/meta-data/', open)).toMatch(/metadata/);
    expect(urlRefusal('http://[fe80::1]:8080/', open)).toMatch(/link-local/);
    expect(urlRefusal('http://[::]:8080/', open)).toMatch(/unspecified/);
    expect(urlRefusal('http://[64:ff9b::169.254.169.254]/latest/meta-data/', open)).toMatch(/metadata/);
    expect(urlRefusal('http://[::ffff:127.0.0.1]/', strict)).toMatch(/loopback/);
    expect(urlRefusal('http://10.0.0.5/bot', strict)).toMatch(/private range/);
    expect(urlRefusal('https://bot.example.com/hook', strict)).toBeNull();
    expect(urlRefusal('not a url', open)).toMatch(/not a URL/);
  });

  it('refuses at connect time a host name that resolves to a forbidden address', async () => {
    const lookup = guardedLookup(strict);
    const err = await new Promise<Error | null>((resolve) => lookup('localhost', {}, (e) => resolve(e)));
    expect(err?.message).toMatch(/refused to connect: .*loopback/);
    const ok = await new Promise<string | null>((resolve) => guardedLookup(open)('localhost', {}, (e, address) => resolve(e ? null : String(address))));
    expect(ok).toMatch(/^(127\.0\.0\.1|::1)$/);
  });

  it.each([['::', /unspecified/], ['64:ff9b::a9fe:a9fe', /metadata/]])('refuses at connect time a host name that resolves to %s', async (address, why) => {
    const resolve = (_host: string, _o: object, cb: (e: null, a: { address: string; family: number }[]) => void) => cb(null, [{ address, family: 6 }]);
    const err = await new Promise<Error | null>((done) => guardedLookup(open, resolve)('bot.example.com', {}, (e) => done(e)));
    expect(err?.message).toMatch(why);
  });
});
