import type { WidgetOpening } from '../../core/control-types.js';

type Browser = NonNullable<WidgetOpening['browser']>;

// First match wins: Edge and Opera also say Chrome, Chrome also says Safari.
const BROWSERS: [string, RegExp][] = [
  ['Microsoft Edge', /Edg(?:e|A|iOS)?\/([\d.]+)/],
  ['Opera', /OPR\/([\d.]+)/],
  ['Firefox', /(?:Firefox|FxiOS)\/([\d.]+)/],
  ['Chrome', /(?:Chrome|CriOS)\/([\d.]+)/],
  ['Safari', /Version\/([\d.]+).*Safari\//],
];
const PLATFORMS: [string, RegExp][] = [
  ['Android', /Android ([\d.]+)/],
  ['iOS', /(?:iPhone|iPad|iPod).*? OS ([\d_]+)/],
  ['Windows', /Windows NT ([\d.]+)/],
  ['Macintosh', /Mac OS X ([\d_.]+)/],
  ['Linux', /Linux()/],
];

/**
 * The browser a user agent names, in the few parts Chatwoot's `event_info.browser` carries (it
 * uses the `browser` gem; this knows the common browsers and platforms, "Unknown" otherwise).
 * Null without a user agent.
 *
 * @example browserOf('Mozilla/5.0 (Windows NT 10.0; Win64; x64) … Chrome/136.0.0.0 Safari/537.36')
 * // { name: 'Chrome', version: '136.0.0.0', platform: 'Windows', platformVersion: '10.0', device: 'Unknown' }
 */
export function browserOf(userAgent: string | undefined): Browser | null {
  if (!userAgent) return null;
  const ua = userAgent.slice(0, 512);
  const browser = BROWSERS.map(([name, re]) => [name, re.exec(ua)?.[1]] as const).find(([, v]) => v !== undefined);
  const platform = PLATFORMS.map(([name, re]) => [name, re.exec(ua)?.[1]] as const).find(([, v]) => v !== undefined);
  const device = /iPad/.test(ua) ? 'iPad' : /iPhone/.test(ua) ? 'iPhone' : 'Unknown';
  return {
    name: browser?.[0] ?? 'Unknown Browser',
    version: browser?.[1] ?? '0.0',
    platform: platform?.[0] ?? 'Unknown',
    platformVersion: platform?.[1] ? platform[1].replaceAll('_', '.') : '0',
    device,
  };
}

/** The browser's first preferred language from `Accept-Language` (`nl-NL,nl;q=0.9` -> `nl-NL`), or null. */
export function firstLanguage(acceptLanguage: string | undefined): string | null {
  const first = acceptLanguage?.split(',')[0]?.split(';')[0]?.trim();
  return first && /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(first) ? first : null;
}
