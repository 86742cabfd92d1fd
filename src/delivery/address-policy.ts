import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Which addresses outgoing webhooks may reach. Link-local and cloud metadata addresses are never
 * reachable (a webhook URL must not read the host's cloud credentials); private ranges only when
 * the operator says so; loopback by default, because the demo bot and single-host setups live
 * there, and can be switched off.
 */
export interface AddressPolicy {
  allowPrivate: boolean;
  allowLoopback: boolean;
}

const NEVER = new BlockList();
NEVER.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local, incl. 169.254.169.254 metadata
NEVER.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
NEVER.addSubnet('fe80::', 10, 'ipv6'); // link-local
NEVER.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6

// A connection to the unspecified address reaches this host (Linux connects 0.0.0.0 and :: to
// loopback), so these pass no loopback switch.
const UNSPECIFIED = new BlockList();
UNSPECIFIED.addSubnet('0.0.0.0', 8, 'ipv4');
UNSPECIFIED.addAddress('::', 'ipv6');

const PRIVATE = new BlockList();
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4'); // carrier-grade NAT
PRIVATE.addSubnet('fc00::', 7, 'ipv6'); // unique local

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata', 'metadata.goog']);

function family(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/** The eight 16-bit groups of an IPv6 address, a trailing dotted IPv4 part included. */
function groups(address: string): number[] {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const hex = dotted ? `${address.slice(0, dotted.index)}${((+dotted[1]! << 8) | +dotted[2]!).toString(16)}:${((+dotted[3]! << 8) | +dotted[4]!).toString(16)}` : address;
  const [head, tail] = hex.split('::') as [string, string?];
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const front = parse(head);
  const back = parse(tail);
  return tail === undefined ? front : [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/**
 * The IPv4 address an IPv6 address stands for, when it embeds one a connection would reach:
 * IPv4-mapped `::ffff:a.b.c.d` and NAT64 `64:ff9b::a.b.c.d` (RFC 6052, so `64:ff9b::a9fe:a9fe` is
 * 169.254.169.254 through the NAT64 gateway). Checked as that IPv4 address.
 */
function embeddedIPv4(address: string): string | null {
  if (isIP(address) !== 6) return null;
  const g = groups(address);
  const mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0);
  if (!mapped && !nat64) return null;
  return [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff].join('.');
}

/** Why an address may not be called, or null when it may. */
export function refusal(address: string, policy: AddressPolicy): string | null {
  const ip = embeddedIPv4(address) ?? address;
  const fam = family(ip);
  if (NEVER.check(ip, fam)) return `${address} is a link-local or cloud metadata address, which webhooks may never call`;
  if (UNSPECIFIED.check(ip, fam)) return `${address} is the unspecified address, which reaches this host; webhooks may never call it`;
  if (!policy.allowLoopback && LOOPBACK.check(ip, fam)) return `${address} is a loopback address and BATON_ALLOW_LOOPBACK_URLS is off`;
  if (!policy.allowPrivate && PRIVATE.check(ip, fam)) return `${address} is in a private range; set BATON_ALLOW_PRIVATE_URLS=true to allow it`;
  return null;
}

const verdicts = new WeakMap<AddressPolicy, Map<string, string | null>>();

/** Checks a URL's form and host name before any lookup (config validation uses this). */
export function urlRefusal(raw: string, policy: AddressPolicy): string | null {
  // Every delivery checks its recipient's URL, and recipients are few: each verdict is kept.
  let known = verdicts.get(policy);
  if (!known) verdicts.set(policy, (known = new Map()));
  const hit = known.get(raw);
  if (hit !== undefined) return hit;
  const verdict = checkUrl(raw, policy);
  if (known.size >= 1024) known.clear();
  known.set(raw, verdict);
  return verdict;
}

function checkUrl(raw: string, policy: AddressPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `"${raw}" is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${url.protocol} URLs are not allowed; use http or https`;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (METADATA_HOSTS.has(host)) return `${host} is a cloud metadata host, which webhooks may never call`;
  return isIP(host) ? refusal(host, policy) : null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type Resolve = (hostname: string, options: { all: true }, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/**
 * A `lookup` for sockets that refuses forbidden addresses after resolution, so a host name that
 * resolves (or is re-pointed) to a forbidden address is caught at connect time, not only in config.
 */
export function guardedLookup(policy: AddressPolicy, resolve: Resolve = dnsLookup) {
  return (hostname: string, options: object, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (err, list) => {
      if (err) return callback(err, []);
      for (const a of list) {
        const why = refusal(a.address, policy);
        if (why) {
          const e = Object.assign(new Error(`refused to connect: ${why}`), { code: 'EADDRNOTALLOWED' });
          return callback(e, []);
        }
      }
      const wantsAll = (options as { all?: boolean }).all === true;
      if (wantsAll) return callback(null, list);
      const first = list[0]!;
      return callback(null, first.address, first.family);
    });
  };
}
