import type { Channel, Component } from '../core/model.js';
import type { Renderer, RendererLookup, Target } from '../delivery/ports.js';
import { imiRenderer } from './imi/imi-renderer.js';
import { imiInboundPath } from './imi/imi-routes.js';
import { nativeRenderer } from './native/renderer.js';

/** What Baton knows of a dialect outside its routes: how to reach it, and where it reaches Baton. */
interface ComponentDialect {
  renderer: Renderer;
  /** The path this component's own webhook calls arrive at, when the dialect gives it one. */
  inboundPath?: (component: Component) => string | null;
}

const componentDialects: Record<string, ComponentDialect> = {
  native: { renderer: nativeRenderer },
  imi: { renderer: imiRenderer, inboundPath: (c) => (c.secrets.inboundToken ? imiInboundPath(c.secrets.inboundToken) : null) },
};

const channelRenderers: Record<string, Renderer> = {
  native: nativeRenderer,
};

/** Adding a dialect means adding its entry here and its routes in http/server.ts. */
export const rendererFor: RendererLookup = (target: Target) =>
  target.kind === 'component' ? componentDialects[target.component.dialect]?.renderer : channelRenderers[target.channel.kind];

export function componentInboundPath(component: Component): string | null {
  return componentDialects[component.dialect]?.inboundPath?.(component) ?? null;
}

export function channelInboundPath(channel: Channel): string | null {
  return channel.kind === 'native' ? `/v1/channels/${channel.id}/messages` : null;
}
