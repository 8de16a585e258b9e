import cors from '@fastify/cors';
import type { FastifyInstance, FastifyReply } from 'fastify';
import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppConfig } from '../config/app-config';

/**
 * JSON answers: no source of any kind, no framing, no sniffing, no cross-origin no-cors reads
 * (OWASP's REST set). Helmet's headers for HTML documents (COOP, Origin-Agent-Cluster,
 * Referrer-Policy, X-DNS-Prefetch-Control, X-Download-Options, X-XSS-Protection, …) mean nothing
 * on JSON and would cost bytes on every answer; Swagger UI, an HTML page, gets all of them.
 */
const API_HEADERS = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  xContentTypeOptions: true,
  xFrameOptions: { action: 'deny' },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  referrerPolicy: false,
  strictTransportSecurity: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xPoweredBy: false,
  xXssProtection: false,
} as const;

/**
 * Swagger UI (served by @nestjs/swagger from swagger-ui-dist) loads its script, styles and
 * images from this origin and calls the API on it; its React components set inline styles.
 */
const DOCS_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    baseUri: ["'self'"],
    connectSrc: ["'self'"],
    fontSrc: ["'self'", 'data:'],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    imgSrc: ["'self'", 'data:'],
    objectSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
  },
};

/** The request headers a browser client of the API sends, and the answer headers it reads. */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'If-Match',
  'Idempotency-Key',
  'X-Request-ID',
];
export const CORS_EXPOSED_HEADERS = [
  'ETag',
  'Location',
  'RateLimit',
  'RateLimit-Policy',
  'Retry-After',
  'X-Request-ID',
];

/** Headers every answer carries, including those written before any hook runs. */
export function setBaselineHeaders(reply: FastifyReply): void {
  void reply.header('x-content-type-options', 'nosniff');
}

const isDocs = (url: string | undefined): boolean =>
  url !== undefined && (url === '/docs' || url.startsWith('/docs/'));

/**
 * Security headers (helmet), CORS for the configured origins, and `Cache-Control: no-store` as
 * the default of every answer. Call after the request-id hook, so a preflight answered by CORS
 * still carries its X-Request-ID.
 *
 * helmet's middleware is run once per policy, at start-up, and the headers it sets are given to
 * every answer in one hook: @fastify/helmet builds it again on every request (parsing the CSP
 * each time) behind two hooks, which cost the authenticated GET about a tenth of its throughput
 * (bench A/B, docs/DECISIONS.md). They go to Fastify's reply, not to Node's `res.setHeader` as
 * helmet writes them: one header on `res` sends every header of the answer through `setHeader`
 * (Node's "progressive" path) when Fastify writes the head (bench/README.md, issue 17).
 */
export async function secureHttp(fastify: FastifyInstance, config: AppConfig): Promise<void> {
  // HSTS belongs to whoever terminates TLS (docs/DEPLOYMENT.md); the app may be served over
  // plain HTTP behind it.
  const apiHeaders = headersOf(helmet(API_HEADERS));
  const docsHeaders = headersOf(
    helmet({
      contentSecurityPolicy: DOCS_CSP,
      xFrameOptions: { action: 'deny' },
      strictTransportSecurity: false,
    }),
  );
  fastify.addHook('onRequest', (request, reply, next) => {
    void reply.headers(isDocs(request.routeOptions.url) ? docsHeaders : apiHeaders);
    next();
  });
  const origins = new Set(config.corsOrigins);
  // No origin listed (the default): no CORS at all, and no hook on every request for it.
  if (origins.size === 0) return noStoreByDefault(fastify);
  await fastify.register(cors, {
    // A listed origin gets its own name back; any other gets no CORS header, and its preflight
    // finds no route (404), as without CORS.
    origin: (origin, callback) => callback(null, origin !== undefined && origins.has(origin)),
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    // Bearer tokens, not cookies: the browser need not send credentials.
    credentials: false,
    maxAge: 600,
    // An OPTIONS from a listed origin without Access-Control-Request-Method would otherwise get
    // a plain-text 400 instead of a problem; answering it 204 grants nothing more.
    strictPreflight: false,
  });
  noStoreByDefault(fastify);
}

/**
 * The headers a helmet middleware sets. Every policy here is static (no nonce, nothing read from
 * the request), so they are the same on every answer; a middleware that touched anything but
 * `setHeader`/`removeHeader` would throw here, at start-up.
 */
function headersOf(middleware: ReturnType<typeof helmet>): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: unknown) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return Object.freeze(headers);
}

function noStoreByDefault(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (_request, reply, payload, next) => {
    // Tokens and account data must not be kept by a browser or a shared cache; an answer that
    // says otherwise (static Swagger UI files) keeps its own.
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    next(null, payload);
  });
}
