import type { Renderer, RendererLookup, Target } from '../delivery/ports.js';
import { nativeRenderer } from './native/renderer.js';

/** Component dialects and channel kinds Baton can deliver to, each by its renderer. */
const componentRenderers: Record<string, Renderer> = {
  native: nativeRenderer,
};

const channelRenderers: Record<string, Renderer> = {
  native: nativeRenderer,
};

/** Adding a dialect means adding its renderer here and its routes in http/server.ts. */
export const rendererFor: RendererLookup = (target: Target) =>
  target.kind === 'component' ? componentRenderers[target.component.dialect] : channelRenderers[target.channel.kind];
