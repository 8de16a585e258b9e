import { FastifyOtelInstrumentation } from '@fastify/otel';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MongooseInstrumentation } from '@opentelemetry/instrumentation-mongoose';
import { NodeSDK } from '@opentelemetry/sdk-node';

/** Probes and scrapes arrive every few seconds and would drown the real traces. */
const UNTRACED = new Set(['/livez', '/readyz', '/metrics']);
const untraced = (url: string | undefined): boolean => UNTRACED.has((url ?? '').split('?')[0]);

/**
 * OpenTelemetry over OTLP/HTTP (JSON) to OTEL_EXPORTER_OTLP_ENDPOINT, with W3C trace context:
 * an incoming `traceparent` continues the caller's trace. The standard OTEL_* variables apply
 * (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER, OTEL_BSP_*).
 */
export function startTracing(): () => Promise<void> {
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ?? 'taskflow-api',
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => untraced(request.url) }),
      // Joins every Fastify instance as it is created (Nest's included): a request span with the
      // route and a handler span naming the controller method. A span per hook would be noise.
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        instrumentHooks: false,
        ignorePaths: ({ url }) => untraced(url),
      }),
      new MongooseInstrumentation(),
    ],
  });
  sdk.start();
  return () => sdk.shutdown();
}
