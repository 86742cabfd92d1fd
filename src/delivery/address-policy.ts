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
NEVER.addSubnet('0.0.0.0', 8, 'ipv4');
NEVER.addSubnet('fe80::', 10, 'ipv6'); // link-local
NEVER.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6

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

/** Why an address may not be called, or null when it may. */
export function refusal(address: string, policy: AddressPolicy): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address;
  const fam = family(ip);
  if (NEVER.check(ip, fam)) return `${address} is a link-local or cloud metadata address, which webhooks may never call`;
  if (!policy.allowLoopback && LOOPBACK.check(ip, fam)) return `${address} is a loopback address and BATON_ALLOW_LOOPBACK_URLS is off`;
  if (!policy.allowPrivate && PRIVATE.check(ip, fam)) return `${address} is in a private range; set BATON_ALLOW_PRIVATE_URLS=true to allow it`;
  return null;
}

/** Checks a URL's form and host name before any lookup (config validation uses this). */
export function urlRefusal(raw: string, policy: AddressPolicy): string | null {
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

/**
 * A `lookup` for sockets that refuses forbidden addresses after resolution, so a host name that
 * resolves (or is re-pointed) to a forbidden address is caught at connect time, not only in config.
 */
export function guardedLookup(policy: AddressPolicy) {
  return (hostname: string, options: object, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
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
