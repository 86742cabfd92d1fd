import type { Channel, Component } from '../core/model.js';
import type { Renderer, RendererLookup, Target } from '../delivery/ports.js';
import { cmChannelRenderer } from './cm/cm-channel-renderer.js';
import { cmChannelInboundPath, cmComponentInboundPath } from './cm/cm-paths.js';
import { cmRenderer } from './cm/cm-renderer.js';
import { engageRenderer } from './engage/engage-renderer.js';
import { imiRenderer } from './imi/imi-renderer.js';
import { imiInboundPath } from './imi/imi-routes.js';
import { nativeRenderer } from './native/renderer.js';
import { omnichannelRenderer } from './omnichannel/omnichannel-renderer.js';
import { omnichannelInboundPath } from './omnichannel/omnichannel-paths.js';
import { webchatPagePath } from './webchat/webchat-paths.js';

/** What Baton knows of a dialect outside its routes: how to reach it, and where it reaches Baton. */
interface ComponentDialect {
  renderer: Renderer;
  /** The path this component's own webhook calls arrive at, when the dialect gives it one. */
  inboundPath?: (component: Component) => string | null;
  /** Tokens the component authenticates its calls to the dialect's API with (stored hashed). */
  apiTokens?: (component: Component) => string[];
}

const componentDialects: Record<string, ComponentDialect> = {
  native: { renderer: nativeRenderer },
  imi: { renderer: imiRenderer, inboundPath: (c) => (c.secrets.inboundToken ? imiInboundPath(c.secrets.inboundToken) : null) },
  cm: { renderer: cmRenderer, inboundPath: cmComponentInboundPath },
  // The bot calls Engage's REST API (/1.0) at Baton's base URL, with its access token.
  engage: { renderer: engageRenderer, apiTokens: (c) => (c.secrets.accessToken ? [c.secrets.accessToken] : []) },
};

const channelRenderers: Record<string, Renderer> = {
  native: nativeRenderer,
  cm: cmChannelRenderer,
  omnichannel: omnichannelRenderer,
};

/** Adding a dialect means adding its entry here and its routes in http/server.ts. */
export const rendererFor: RendererLookup = (target: Target) =>
  target.kind === 'component' ? componentDialects[target.component.dialect]?.renderer : channelRenderers[target.channel.kind];

/**
 * Recipients served inside Baton (the inbox desk, web chat visitors) push to the browsers of the
 * running processes, so their renderers are built at start-up (app.ts) and consulted first.
 */
export function withLocalRenderers(local: { components: Record<string, Renderer>; channels: Record<string, Renderer> }): RendererLookup {
  return (target) => (target.kind === 'component' ? local.components[target.component.dialect] : local.channels[target.channel.kind]) ?? rendererFor(target);
}

export function componentInboundPath(component: Component): string | null {
  return componentDialects[component.dialect]?.inboundPath?.(component) ?? null;
}

export function componentApiTokens(component: Component): string[] {
  return componentDialects[component.dialect]?.apiTokens?.(component) ?? [];
}

/** What a verification of this component vouches for (Renderer.verifiedEndpoint); null when it needs none. */
export function componentVerifiedEndpoint(component: Component): string | null {
  return componentDialects[component.dialect]?.renderer.verifiedEndpoint?.({ kind: 'component', component }) ?? null;
}

export function channelInboundPath(channel: Channel): string | null {
  if (channel.kind === 'webchat') return webchatPagePath(channel);
  if (channel.kind === 'cm') return cmChannelInboundPath(channel);
  if (channel.kind === 'omnichannel') return channel.credentials.inboundToken ? omnichannelInboundPath(channel.credentials.inboundToken) : null;
  return channel.kind === 'native' ? `/v1/channels/${channel.id}/messages` : null;
}
