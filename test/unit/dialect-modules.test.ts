import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { CHANNEL_KINDS, COMPONENT_DIALECTS, DIALECTS } from '../../src/dialects/index.js';

describe('the list of dialects', () => {
  it('names each dialect, component dialect and channel kind once', () => {
    const names = DIALECTS.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(COMPONENT_DIALECTS).size).toBe(DIALECTS.filter((d) => d.componentDialect).length);
    expect(new Set(CHANNEL_KINDS).size).toBe(DIALECTS.filter((d) => d.channelKind).length);
    expect(COMPONENT_DIALECTS).toEqual(expect.arrayContaining(['native', 'imi', 'cm', 'engage', 'inbox']));
    expect(CHANNEL_KINDS).toEqual(['native', 'webchat', 'omnichannel', 'cm']);
  });

  it('mounts no two route scopes at one prefix', () => {
    const prefixes = DIALECTS.flatMap((d) => d.routes.map((r) => r.prefix));
    expect(prefixes.every((p) => /^\/[^/]/.test(p) && !p.endsWith('/'))).toBe(true);
    expect(new Set(prefixes).size).toBe(prefixes.length);
  });

  it('takes the component dialects and channel kinds of baton.yaml from the list', () => {
    const one = (component: Record<string, unknown>, channel: Record<string, unknown> = { id: 'c', kind: 'native' }) => () => validateConfig({ accounts: [{ id: 'a', channels: [channel], components: [{ id: 'x', kind: 'bot', ...component }] }] });
    expect(one({ dialect: 'nope' })).toThrow(/components\[0\]\.dialect: must be one of "native"/);
    expect(one({}, { id: 'c', kind: 'nope' })).toThrow(/channels\[0\]\.kind: must be one of "native", "webchat", "omnichannel", "cm"/);
  });

  it('checks a component\'s options and secrets against its dialect\'s settings schema', () => {
    const engage = (options: Record<string, unknown>) => () => validateConfig({ accounts: [{ id: 'a', components: [{ id: 'e', kind: 'bot', dialect: 'engage', secrets: { accessToken: 'engage-token-0000000001' }, options }] }] });
    expect(engage({ admin: true, sources: ['mail'] })).not.toThrow();
    expect(engage({ admin: 'yes' })).toThrow(/accounts\[0\]\.components\[0\]\.options\.admin: /);
    expect(engage({ sources: 'mail' })).toThrow(/accounts\[0\]\.components\[0\]\.options\.sources: /);
  });
});
