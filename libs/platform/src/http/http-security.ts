import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, RouteOptions } from 'fastify';
import type { AppConfig } from '../config/app-config';

/** JSON answers need no source of any kind, and nothing may frame them. */
const API_CSP = {
  useDefaults: false,
  directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
};

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

/**
 * Security headers (helmet), CORS for the configured origins, and `Cache-Control: no-store` as
 * the default of every answer. Call after the request-id hook, so a preflight answered by CORS
 * still carries its X-Request-ID, and before routes are added, so /docs gets its own policy.
 */
export async function secureHttp(fastify: FastifyInstance, config: AppConfig): Promise<void> {
  fastify.addHook('onRoute', (route: RouteOptions) => {
    if (route.url === '/docs' || route.url.startsWith('/docs/')) {
      route.config = { ...route.config, helmet: { contentSecurityPolicy: DOCS_CSP } } as never;
    }
  });
  await fastify.register(helmet, {
    contentSecurityPolicy: API_CSP,
    xFrameOptions: { action: 'deny' },
    // HSTS belongs to whoever terminates TLS (docs/DEPLOYMENT.md); the app may be served over
    // plain HTTP behind it.
    strictTransportSecurity: false,
  });
  const origins = new Set(config.corsOrigins);
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
  fastify.addHook('onSend', async (_request, reply, payload) => {
    // Tokens and account data must not be kept by a browser or a shared cache; an answer that
    // says otherwise (static Swagger UI files) keeps its own.
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    return payload;
  });
}
