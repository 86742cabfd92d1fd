import { trace } from '@opentelemetry/api';
import { useTracer } from '../core/tracing.js';

type Env = Record<string, string | undefined>;

/** What the standard `OTEL_*` variables ask for: null when tracing stays off. */
export interface TracingChoice {
  exporters: ('otlp' | 'console')[];
  protocol: 'http/protobuf' | 'http/json';
}

/**
 * Tracing is off unless asked for: `OTEL_TRACES_EXPORTER` names an exporter, or, with that
 * variable unset, an OTLP endpoint is given. `OTEL_SDK_DISABLED=true` wins over both. (The
 * specification's default exporter is `otlp`; Baton's default is off, so that a process nobody
 * configured for it neither exports nor loads the SDK.)
 */
export function tracingChoice(env: Env): TracingChoice | null {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return null;
  const named = env.OTEL_TRACES_EXPORTER?.trim();
  const endpoint = Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());
  const wanted = named ? named.split(',').map((e) => e.trim().toLowerCase()).filter(Boolean) : endpoint ? ['otlp'] : [];
  const exporters: TracingChoice['exporters'] = [];
  for (const e of wanted) {
    if (e === 'none') continue;
    if (e !== 'otlp' && e !== 'console') throw new Error(`OTEL_TRACES_EXPORTER=${named}: Baton exports traces with "otlp" or "console" (or "none"), not "${e}".`);
    if (!exporters.includes(e)) exporters.push(e);
  }
  if (exporters.length === 0) return null;
  const protocolVar = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?.trim() ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = (env[protocolVar]?.trim() || 'http/protobuf').toLowerCase();
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    throw new Error(`${protocolVar}=${protocol}: Baton sends OTLP over HTTP, as "http/protobuf" (the default) or "http/json"; use an endpoint that takes one of them (a collector's port 4318).`);
  }
  return { exporters, protocol };
}

export interface TracingHandle {
  /** Sends what is still buffered and stops. */
  shutdown(): Promise<void>;
}

/**
 * Loads the SDK and the exporter (only now: a process with tracing off never loads them),
 * registers them globally with the W3C Trace Context propagator and the AsyncLocalStorage
 * context manager, and hands Baton its tracer. The SDK reads the rest of the standard variables
 * itself: endpoint, headers, timeout, sampler, batch sizes, resource attributes.
 */
export async function startTracing(env: Env, version: string): Promise<TracingHandle | null> {
  const choice = tracingChoice(env);
  if (!choice) return null;
  const [{ NodeTracerProvider }, { BatchSpanProcessor, ConsoleSpanExporter }, { detectResources, envDetector, resourceFromAttributes }] = await Promise.all([
    optional(import('@opentelemetry/sdk-trace-node')),
    optional(import('@opentelemetry/sdk-trace-base')),
    optional(import('@opentelemetry/resources')),
  ]);
  const processors = [];
  for (const e of choice.exporters) {
    if (e === 'console') processors.push(new BatchSpanProcessor(new ConsoleSpanExporter()));
    else if (choice.protocol === 'http/json') processors.push(new BatchSpanProcessor(new (await optional(import('@opentelemetry/exporter-trace-otlp-http'))).OTLPTraceExporter()));
    else processors.push(new BatchSpanProcessor(new (await optional(import('@opentelemetry/exporter-trace-otlp-proto'))).OTLPTraceExporter()));
  }
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override these defaults.
  const resource = resourceFromAttributes({ 'service.name': 'baton', 'service.version': version }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: processors });
  provider.register();
  useTracer(trace.getTracer('baton', version));
  return {
    async shutdown() {
      useTracer(null);
      await provider.shutdown();
    },
  };
}

/** The SDK packages are optional dependencies: an install that left them out says so plainly. */
async function optional<T>(loading: Promise<T>): Promise<T> {
  try {
    return await loading;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new Error(`tracing is switched on (OTEL_* variables) but the OpenTelemetry SDK is not installed: ${(err as Error).message}. Install the optional dependencies (npm ci without --omit=optional), or unset the OTEL_* variables.`);
  }
}
