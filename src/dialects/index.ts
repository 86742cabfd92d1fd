import type { Channel, Component } from '../core/model.js';
import type { Renderer, RendererLookup } from '../delivery/ports.js';
import type { CredentialKind, DialectModule, RenderContext } from '../edge-kit/dialect-module.js';
import { inboxDialect } from '../inbox/inbox-dialect.js';
import { chatwootDialect } from './chatwoot/chatwoot-dialect.js';
import { cmDialect } from './cm/cm-dialect.js';
import { engageDialect } from './engage/engage-dialect.js';
import { imiDialect } from './imi/imi-dialect.js';
import { nativeDialect } from './native/native-dialect.js';
import { omnichannelDialect } from './omnichannel/omnichannel-dialect.js';
import { suncoDialect } from './sunco/sunco-dialect.js';
import { webchatDialect } from './webchat/webchat-dialect.js';

/** Every protocol Baton speaks. The only place that names them: a new dialect is its folder and a line here. */
export const DIALECTS: readonly DialectModule[] = Object.freeze([nativeDialect, webchatDialect, omnichannelDialect, cmDialect, imiDialect, engageDialect, chatwootDialect, inboxDialect, suncoDialect]);

const byComponentDialect = new Map(DIALECTS.filter((d) => d.componentDialect).map((d) => [d.componentDialect!, d]));
const byChannelKind = new Map(DIALECTS.filter((d) => d.channelKind).map((d) => [d.channelKind!, d]));

/** The `dialect` values components may have, and the `kind` values of channels. */
export const COMPONENT_DIALECTS: readonly string[] = [...byComponentDialect.keys()];
export const CHANNEL_KINDS: readonly string[] = [...byChannelKind.keys()];

export function componentDialectOf(dialect: string): DialectModule | undefined {
  return byComponentDialect.get(dialect);
}

export function channelDialectOf(kind: string): DialectModule | undefined {
  return byChannelKind.get(kind);
}

/** How every delivery goes out: each dialect's renderers, built once with the services they push through. */
export function rendererLookup(ctx: RenderContext): RendererLookup {
  const components = new Map<string, Renderer>();
  const channels = new Map<string, Renderer>();
  for (const d of DIALECTS) {
    const r = d.renderers(ctx);
    if (d.componentDialect && r.component) components.set(d.componentDialect, r.component);
    if (d.channelKind && r.channel) channels.set(d.channelKind, r.channel);
  }
  return (target) => (target.kind === 'component' ? components.get(target.component.dialect) : channels.get(target.channel.kind));
}

export function componentInboundPath(component: Component): string | null {
  return componentDialectOf(component.dialect)?.inboundPath?.component?.(component) ?? null;
}

export function channelInboundPath(channel: Channel): string | null {
  return channelDialectOf(channel.kind)?.inboundPath?.channel?.(channel) ?? null;
}

/** A credential callers present to Baton, and its kind: stored as a digest that names its owner. */
export interface PresentedToken {
  token: string;
  kind: CredentialKind;
}

function tokensOf(values: Record<string, string>, keys: Readonly<Record<string, CredentialKind>> | undefined): PresentedToken[] {
  return Object.entries(keys ?? {}).flatMap(([key, kind]) => (values[key] ? [{ token: values[key], kind }] : []));
}

/** The secrets of a component that callers present, beside its webhook token. */
export function componentApiTokens(component: Component): PresentedToken[] {
  return tokensOf(component.secrets, componentDialectOf(component.dialect)?.credentials.componentSecrets);
}

/** The credentials of a channel that callers present (a cm channel's MO token). */
export function channelApiTokens(channel: Channel): PresentedToken[] {
  return tokensOf(channel.credentials, channelDialectOf(channel.kind)?.credentials.channelSecrets);
}

/** What a verification of this component vouches for (Renderer.verifiedEndpoint); null when it needs none. */
export function componentVerifiedEndpoint(component: Component): string | null {
  const renderer = componentDialectOf(component.dialect)?.renderers(NO_LIVE).component;
  return renderer?.verifiedEndpoint?.({ kind: 'component', component }) ?? null;
}

// Verification is asked of remote endpoints only: renderers that push to browsers are never consulted for it.
const NO_LIVE: RenderContext = { live: { publish: async () => {}, subscribe: () => () => {}, start: async () => {}, close: async () => {} } };
