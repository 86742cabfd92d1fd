import { isIP } from 'node:net';

/**
 * The client a request is counted against: its IPv4 address (also when it arrives IPv4-mapped on
 * an IPv6 socket), or the /64 its IPv6 address is in, because one host commonly holds a whole /64
 * and could otherwise step to a fresh address for every request.
 *
 * @example clientAddress('2001:db8:1:2:3:4:5:6') // '2001:db8:1:2::/64'
 */
export function clientAddress(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (v4) return v4;
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail] = ip.split('::');
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const all = tail === undefined ? front : [...front, ...new Array<string>(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back];
  return `${all.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}
