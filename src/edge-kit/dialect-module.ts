import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { TSchema } from 'typebox';
import type { Clock } from '../core/clock.js';
import type { CustomerData } from '../core/customer-data.js';
import type { Files } from '../core/files.js';
import type { Channel, Component, RetryPolicy } from '../core/model.js';
import type { Queries } from '../core/queries.js';
import type { Router } from '../core/router.js';
import type { ChannelCheck, DeliveryControl, Renderer } from '../delivery/ports.js';
import type { LiveBus } from '../live/live-bus.js';
import type { ErrorRenderer } from './errors.js';

/** What a dialect's routes are given: the core, and the few edge services Baton runs beside it. */
export interface DialectDeps {
  router: Router;
  queries: Queries;
  customerData: CustomerData;
  /** Uploaded files (the web chat's visitors upload). */
  files: Files;
  deliveries: DeliveryControl;
  reachability: ChannelCheck;
  /** Prometheus registry for a dialect's own counters. */
  metrics: Registry;
  /** Where every component and channel is reached, whatever its dialect (dialects/index.ts). */
  addresses: { component(c: Component): string | null; channel(c: Channel): string | null };
  /** Present when Baton serves its pages (the live bus and WebSockets): routes marked `browser` get it. */
  browser?: { live: LiveBus; clock: Clock };
}

/** One scope of routes under one prefix, in one error shape. */
export interface DialectRoutes {
  /** Where the routes are mounted (`/imi`, `/1.0`); paths inside are relative to it. */
  prefix: string;
  register(scope: FastifyInstance, deps: DialectDeps): Promise<void>;
  /** The scope's error shape; Baton's own when absent. */
  errors?: ErrorRenderer;
  /** Credentials presented here count against the failed-authentication throttle. */
  throttled: boolean;
  /** Served only beside the pages: it needs the live bus and WebSockets. */
  browser?: boolean;
}

/** The credentials a dialect takes from its callers, stored only as digests (queries.inboundToken). */
export type CredentialKind = 'api_key' | 'webhook_token' | 'product_token' | 'access_token' | 'channel_token' | 'session' | 'visitor_token';

export interface InboundCredentials {
  kinds: readonly CredentialKind[];
  /** Request headers that carry one (lower case), for the audit actor. */
  headers?: readonly string[];
  /** Query parameters that carry one. */
  queryParams?: readonly string[];
  /** A path whose first group is a token (`/imi/webhook/{token}`). */
  pathToken?: RegExp;
  /**
   * Component secrets that callers present, beside the webhook token every component gets
   * (`secrets.inboundToken`), with their kind: each is stored as a digest that names its component.
   */
  componentSecrets?: Readonly<Record<string, CredentialKind>>;
  /**
   * Of those, the ones the store must also keep in clear: a key that signs what callers send
   * (a JWT's HS256 key) verifies signatures, which its digest cannot.
   */
  keptInClear?: readonly string[];
  /** Channel credentials that callers present, likewise (`credentials.inboundToken`). */
  channelSecrets?: Readonly<Record<string, CredentialKind>>;
  /** Channels whose address carries their token: Baton makes one when the configuration gives none. */
  tokenInChannelAddress?: boolean;
}

/**
 * The keys of `baton.yaml` a dialect reads, as TypeBox schemas (documented in the README). Make
 * them closed (`additionalProperties: false`): `config check` refuses any other key with its path
 * and the keys the schema names. Keys that are free by design go in a record of their own
 * (IMI `options.channelNames`). Every component's `secrets` may name `inboundToken` besides.
 */
export interface DialectSettings {
  /** `components[].secrets` of its components. */
  secrets?: TSchema;
  /** `components[].options`. */
  options?: TSchema;
  /** `channels[].credentials` of its channels. */
  credentials?: TSchema;
  /** What the schema cannot say, each as `key: problem` relative to the component or channel. */
  componentProblems?(c: { options?: Record<string, unknown>; secrets?: Record<string, string>; url?: string }): string[];
  channelProblems?(c: { outboundUrl?: string; credentials?: Record<string, string> }): string[];
  /** Options a component gets from its account (IMI channel names). */
  componentOptions?(options: Record<string, unknown>, channels: { id: string; imiChannel?: string }[]): Record<string, unknown>;
  /** Allowed but probably not meant (an unsigned webhook), for `config check` and `start`. */
  componentWarning?(c: Component): string | null;
}

/** The services local renderers push through (the live bus to agents' and visitors' browsers). */
export interface RenderContext {
  live: LiveBus;
}

/**
 * Everything Baton knows of one protocol. `dialects/index.ts` lists them; the server, the
 * configuration, the doctor, the audit actor and the retry defaults read that list and nothing
 * else, so a new protocol is a new folder and one line there.
 */
export interface DialectModule {
  name: string;
  /** The `dialect` of the components it serves (bots, desks). */
  componentDialect?: string;
  /** The `kind` of the channels it serves. */
  channelKind?: string;
  /** Its channels are real-time (a customer waits on the page) unless `realtime: false` says otherwise. */
  realtimeChannels?: boolean;
  routes: readonly DialectRoutes[];
  /** How deliveries to its components and channels go out. */
  renderers(ctx: RenderContext): { component?: Renderer; channel?: Renderer };
  /** Where its components' and channels' own calls arrive, for `baton doctor` and the API. */
  inboundPath?: { component?(c: Component): string | null; channel?(c: Channel): string | null };
  credentials: InboundCredentials;
  settings?: DialectSettings;
  /**
   * The `events:` its components have when they name none; absent, every event type but the
   * opt-in ones (core/fanout.ts OPT_IN_EVENTS). Chatwoot's bots take `*`: they are sent
   * `webwidget_triggered`.
   */
  defaultEvents?: readonly string[];
  /** Its components' delivery policy, unless they set their own; the long exponential one when absent. */
  retry?: RetryPolicy;
  /** A line `baton doctor` adds about a component or channel (what to do next), or null. */
  doctor?: { component?(c: Component): string | null; channel?(c: Channel): string | null };
}
