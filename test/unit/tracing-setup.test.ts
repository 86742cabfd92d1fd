import { describe, expect, it } from 'vitest';
import { tracingChoice } from '../../src/cli/tracing-setup.js';

describe('which OTEL_* variables switch tracing on', () => {
  it('is off with none of them, or with only those that do not name an exporter or an endpoint', () => {
    expect(tracingChoice({})).toBeNull();
    expect(tracingChoice({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toBeNull();
  });

  it('is on with OTEL_TRACES_EXPORTER=otlp, or with an endpoint and no exporter named', () => {
    expect(tracingChoice({ OTEL_TRACES_EXPORTER: 'otlp' })).toEqual({ exporters: ['otlp'], protocol: 'http/protobuf' });
    expect(tracingChoice({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toEqual({ exporters: ['otlp'], protocol: 'http/protobuf' });
    expect(tracingChoice({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toEqual({ exporters: ['otlp'], protocol: 'http/json' });
    expect(tracingChoice({ OTEL_TRACES_EXPORTER: ' OTLP , console,otlp' })?.exporters).toEqual(['otlp', 'console']);
  });

  it('the traces protocol wins over the general one', () => {
    expect(tracingChoice({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' })?.protocol).toBe('http/json');
  });

  it('stays off when told: OTEL_SDK_DISABLED=true, or the exporter none (even with an endpoint)', () => {
    expect(tracingChoice({ OTEL_SDK_DISABLED: 'TRUE', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBeNull();
    expect(tracingChoice({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBeNull();
    expect(tracingChoice({ OTEL_SDK_DISABLED: 'false', OTEL_TRACES_EXPORTER: 'otlp' })).not.toBeNull();
  });

  it('refuses an exporter or a protocol it cannot honour, saying what it takes', () => {
    expect(() => tracingChoice({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow('OTEL_TRACES_EXPORTER=jaeger: Baton exports traces with "otlp" or "console" (or "none"), not "jaeger".');
    expect(() => tracingChoice({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc: Baton sends OTLP over HTTP/);
  });
});
