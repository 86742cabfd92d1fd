import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { AuthThrottle } from '../../src/http/auth-throttle.js';
import { clientAddress } from '../../src/http/client-address.js';

const req = (ip: string) => ({ ip }) as FastifyRequest;

describe('the authentication throttle', () => {
  it('refuses an address for the rest of its minute after 10 failures, then listens again', () => {
    let t = 1_000_000;
    const throttle = new AuthThrottle(undefined, () => t);
    for (let i = 0; i < 10; i++) {
      expect(throttle.retryAfter(req('203.0.113.7'))).toBe(0);
      throttle.failed(req('203.0.113.7'));
    }
    t += 20_000;
    expect(throttle.retryAfter(req('203.0.113.7'))).toBe(40);
    expect(throttle.retryAfter(req('203.0.113.8'))).toBe(0);
    t += 40_000;
    expect(throttle.retryAfter(req('203.0.113.7'))).toBe(0);
  });

  it('takes back a right login, but no attempt passes a lock that stands', () => {
    let t = 0;
    const throttle = new AuthThrottle(undefined, () => t);
    for (let i = 0; i < 4; i++) expect(throttle.attempt(req('198.51.100.1'), 'alice')).toBe(0);
    expect(throttle.attempt(req('198.51.100.2'), 'alice')).toBe(0);
    throttle.succeeded(req('198.51.100.2'), 'alice');
    expect(throttle.attempt(req('198.51.100.3'), 'alice')).toBe(0);
    t += 1000;
    // the fifth failure locks the name: a right password is not even checked now
    expect(throttle.attempt(req('198.51.100.4'), 'alice')).toBe(15 * 60 - 1);
    expect(throttle.attempt(req('198.51.100.5'), 'alice')).toBe(15 * 60 - 1);
    t += 15 * 60_000;
    expect(throttle.attempt(req('198.51.100.5'), 'alice')).toBe(0);
  });

  it('counts an IPv6 client by its /64 and an IPv4-mapped one by its IPv4 address', () => {
    expect(clientAddress('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:db8:1:2::9')).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddress('::1')).toBe('0:0:0:0::/64');
    expect(clientAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(clientAddress('192.0.2.1')).toBe('192.0.2.1');
    const throttle = new AuthThrottle();
    for (let i = 0; i < 10; i++) throttle.failed(req(`2001:db8:1:2::${i + 1}`));
    expect(throttle.retryAfter(req('2001:db8:1:2:ffff::1'))).toBeGreaterThan(0);
    expect(throttle.retryAfter(req('2001:db8:1:3::1'))).toBe(0);
  });
});
