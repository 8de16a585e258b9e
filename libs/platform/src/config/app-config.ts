import { plainToInstance } from 'class-transformer';
import {
  IsBooleanString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { randomBytes } from 'node:crypto';

export type Driver = 'memory' | 'mongo';

export interface RateLimit {
  readonly limit: number;
  readonly windowSeconds: number;
}

const RATE = /^(off|[1-9]\d*\/[1-9]\d*s)$/;
/** Origins as a browser sends them: scheme, host and optional port; no path, no wildcard. */
const ORIGIN = String.raw`https?://[A-Za-z0-9.-]+(:\d{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:\d{1,5})?`;
const CORS_ORIGINS = new RegExp(`^(${ORIGIN})(\\s*,\\s*(${ORIGIN}))*$`);

/** The environment as it arrives; every variable is a string and each is checked. */
class Environment {
  @IsOptional() @IsInt() @Min(0) @Max(65535) PORT?: number;
  @IsOptional() @IsIn(['memory', 'mongo']) TASK_REPOSITORY_DRIVER?: Driver;
  @IsOptional() @IsString() MONGODB_URI?: string;
  @IsOptional() @IsString() JWT_SECRET?: string;
  @IsOptional() @IsString() @MinLength(1) JWT_ISSUER?: string;
  @IsOptional() @IsString() @MinLength(1) JWT_AUDIENCE?: string;
  @IsOptional() @IsInt() @Min(1) ACCESS_TOKEN_TTL?: number;
  @IsOptional() @IsInt() @Min(1) REFRESH_TOKEN_TTL?: number;
  @IsOptional() @IsInt() @Min(0) @Max(60) REFRESH_GRACE_SECONDS?: number;
  @IsOptional() @IsInt() @Min(60) RESET_TOKEN_TTL?: number;
  @IsOptional() @IsInt() @Min(4) @Max(15) BCRYPT_COST?: number;
  @IsOptional() @IsBooleanString() DEV_MODE?: string;
  @IsOptional() @IsIn(['development', 'production', 'test']) NODE_ENV?: string;
  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;
  @IsOptional() @IsBooleanString() LOG_PRETTY?: string;
  @IsOptional() @IsInt() @Min(0) @Max(3600) SHUTDOWN_GRACE_SECONDS?: number;
  @IsOptional() @IsInt() @Min(1) @Max(1000) EVENT_STREAMS_PER_ACCOUNT?: number;
  @IsOptional() @IsInt() @Min(1) @Max(86_400) EVENT_STREAM_MAX_SECONDS?: number;
  @IsOptional()
  @Matches(/^(true|false|[0-9]+)$/, { message: 'TRUST_PROXY must be true, false or a hop count' })
  TRUST_PROXY?: string;
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  @IsOptional()
  @Matches(/^smtps?:\/\/[^\s]+$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;
  @IsOptional() @IsString() MAIL_FROM?: string;
  @IsOptional() @IsString() BOOTSTRAP_ADMIN_ID?: string;
  @IsOptional() @IsString() BOOTSTRAP_ADMIN_PASSWORD?: string;
  @IsOptional() @IsInt() @Min(1) IDEMPOTENCY_TTL?: number;
  @IsOptional() @IsInt() @Min(1) @Max(3600) REQUEST_TIMEOUT_SECONDS?: number;
  @IsOptional() @IsInt() @Min(1) @Max(3600) CONNECTION_TIMEOUT_SECONDS?: number;
  @IsOptional()
  @Matches(CORS_ORIGINS, {
    message: 'CORS_ORIGINS must be comma-separated origins like https://app.example.com',
  })
  CORS_ORIGINS?: string;
  @IsOptional()
  @Matches(RATE, { message: 'RATE_LIMIT_GLOBAL must be N/<seconds>s or off' })
  RATE_LIMIT_GLOBAL?: string;
  @IsOptional()
  @Matches(RATE, { message: 'RATE_LIMIT_AUTH must be N/<seconds>s or off' })
  RATE_LIMIT_AUTH?: string;
  @IsOptional() @IsIn(['on', 'off']) WEBHOOK_DISPATCH?: string;
  @IsOptional() @IsBooleanString() WEBHOOK_ALLOW_PRIVATE?: string;
  @IsOptional() @IsInt() @Min(1) @Max(100) WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT?: number;
  @IsOptional() @IsInt() @Min(1) @Max(1000) WEBHOOK_MAX_IN_FLIGHT?: number;
}

const INTEGERS = [
  'PORT',
  'ACCESS_TOKEN_TTL',
  'REFRESH_TOKEN_TTL',
  'REFRESH_GRACE_SECONDS',
  'RESET_TOKEN_TTL',
  'BCRYPT_COST',
  'IDEMPOTENCY_TTL',
  'SHUTDOWN_GRACE_SECONDS',
  'EVENT_STREAMS_PER_ACCOUNT',
  'EVENT_STREAM_MAX_SECONDS',
  'REQUEST_TIMEOUT_SECONDS',
  'CONNECTION_TIMEOUT_SECONDS',
  'WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT',
  'WEBHOOK_MAX_IN_FLIGHT',
] as const;

export class ConfigError extends Error {}

/** Validated configuration. Built once at start-up by `loadConfig`; injectable as a token. */
export class AppConfig {
  readonly port!: number;
  readonly driver!: Driver;
  readonly mongodbUri!: string | null;
  readonly devMode!: boolean;
  readonly nodeEnv!: string;
  readonly logLevel!: string;
  /** Human-readable logs through pino-pretty (a dev dependency); JSON lines otherwise. */
  readonly logPretty!: boolean;
  /** How long SIGTERM waits for in-flight requests before it cuts them off. */
  readonly shutdownGraceSeconds!: number;
  readonly bcryptCost!: number;
  /** false, or the number of trusted proxy hops in front of the API. */
  readonly trustProxy!: false | number;
  readonly jwt!: {
    readonly secret: string;
    readonly issuer: string;
    readonly audience: string;
    readonly accessTtlSeconds: number;
  };
  readonly refreshTtlSeconds!: number;
  /**
   * How long after a rotation a second refresh with the same token still gets the same successor
   * (two tabs refreshing at once) instead of counting as reuse. 0 turns the grace off.
   */
  readonly refreshGraceSeconds!: number;
  readonly resetTokenTtlSeconds!: number;
  readonly otlpEndpoint!: string | null;
  readonly smtpUrl!: string | null;
  readonly mailFrom!: string;
  readonly bootstrapAdmin!: { readonly id: string; readonly password: string } | null;
  readonly rateLimitGlobal!: RateLimit | null;
  readonly rateLimitAuth!: RateLimit | null;
  /** How long an Idempotency-Key's outcome is kept. */
  readonly idempotencyTtlSeconds!: number;
  /** A request whose headers and body have not all arrived within this is answered 408. */
  readonly requestTimeoutSeconds!: number;
  /** Open `GET /events/stream` connections one account may hold on one instance (DESIGN §9). */
  readonly eventStreamsPerAccount!: number;
  /** An event stream ends after this long; its client resumes with Last-Event-ID. */
  readonly eventStreamMaxSeconds!: number;
  /** A connection on which nothing moves for this long is closed. */
  readonly connectionTimeoutSeconds!: number;
  /** Origins whose browser pages may call the API (CORS); empty: none. */
  readonly corsOrigins!: readonly string[];
  /** Whether this instance sends webhooks (every instance does unless turned off). */
  readonly webhookDispatch!: boolean;
  /** Whether webhook URLs may reach loopback and private addresses (the SSRF guard, §10). */
  readonly webhookAllowPrivate!: boolean;
  /** Webhook requests one instance has in flight to one endpoint (docs/WEBHOOKS.md). */
  readonly webhookMaxInFlightPerEndpoint!: number;
  /** Webhook requests one instance has in flight in all. */
  readonly webhookMaxInFlight!: number;

  constructor(values: AppConfig) {
    Object.assign(this, values);
  }
}

function parseRate(value: string): RateLimit | null {
  if (value === 'off') return null;
  const [limit, seconds] = value.split('/');
  return { limit: Number(limit), windowSeconds: Number(seconds.slice(0, -1)) };
}

/**
 * Reads and validates the environment. Throws a ConfigError naming every bad variable, so the
 * process stops before it serves anything.
 */
export function loadConfig(source: Record<string, string | undefined>): AppConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined || value === '') continue;
    raw[key] =
      (INTEGERS as readonly string[]).includes(key) && /^-?\d+$/.test(value)
        ? Number(value)
        : value;
  }
  const env = plainToInstance(Environment, raw);
  const problems = validateSync(env, { forbidUnknownValues: false }).flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property) ? message : `${error.property}: ${message}`,
    ),
  );

  const devMode = env.DEV_MODE === 'true';
  const nodeEnv = env.NODE_ENV ?? 'development';
  if (devMode && nodeEnv === 'production') {
    problems.push('DEV_MODE=true is refused when NODE_ENV=production');
  }
  const logPretty = env.LOG_PRETTY === 'true';
  if (logPretty && nodeEnv === 'production') {
    // pino-pretty is a dev dependency and JSON lines are what log pipelines read.
    problems.push('LOG_PRETTY=true is refused when NODE_ENV=production');
  }
  const driver = env.TASK_REPOSITORY_DRIVER ?? 'memory';
  if (driver === 'mongo' && !env.MONGODB_URI) {
    problems.push('MONGODB_URI is required when TASK_REPOSITORY_DRIVER=mongo');
  }
  let secret = env.JWT_SECRET;
  if (secret !== undefined && Buffer.byteLength(secret) < 32) {
    problems.push('JWT_SECRET must be at least 32 bytes long');
  } else if (secret === undefined) {
    if (devMode) {
      // Dev mode only: tokens issued by this process are valid until it stops.
      secret = randomBytes(32).toString('base64url');
    } else {
      problems.push('JWT_SECRET is required outside dev mode (at least 32 bytes)');
    }
  }
  if (Boolean(env.BOOTSTRAP_ADMIN_ID) !== Boolean(env.BOOTSTRAP_ADMIN_PASSWORD)) {
    problems.push('BOOTSTRAP_ADMIN_ID and BOOTSTRAP_ADMIN_PASSWORD must be set together');
  }
  const requestTimeoutSeconds = env.REQUEST_TIMEOUT_SECONDS ?? 30;
  const connectionTimeoutSeconds = env.CONNECTION_TIMEOUT_SECONDS ?? 120;
  if (connectionTimeoutSeconds <= requestTimeoutSeconds) {
    // Otherwise a stalled body would be cut without its 408.
    problems.push('CONNECTION_TIMEOUT_SECONDS must be greater than REQUEST_TIMEOUT_SECONDS');
  }
  const webhookMaxInFlightPerEndpoint = env.WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT ?? 4;
  const webhookMaxInFlight = env.WEBHOOK_MAX_IN_FLIGHT ?? 32;
  if (webhookMaxInFlightPerEndpoint > webhookMaxInFlight) {
    // One endpoint could never use its share.
    problems.push('WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT must not exceed WEBHOOK_MAX_IN_FLIGHT');
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }

  const trust = env.TRUST_PROXY ?? 'false';
  return new AppConfig({
    port: env.PORT ?? 8080,
    driver,
    mongodbUri: env.MONGODB_URI ?? null,
    devMode,
    nodeEnv,
    logLevel: env.LOG_LEVEL ?? 'info',
    logPretty,
    shutdownGraceSeconds: env.SHUTDOWN_GRACE_SECONDS ?? 10,
    bcryptCost: env.BCRYPT_COST ?? 12,
    trustProxy: trust === 'false' ? false : trust === 'true' ? 1 : Number(trust),
    jwt: {
      secret: secret as string,
      issuer: env.JWT_ISSUER ?? 'taskflow',
      audience: env.JWT_AUDIENCE ?? 'taskflow-api',
      accessTtlSeconds: env.ACCESS_TOKEN_TTL ?? 900,
    },
    refreshTtlSeconds: env.REFRESH_TOKEN_TTL ?? 60 * 60 * 24 * 30,
    refreshGraceSeconds: env.REFRESH_GRACE_SECONDS ?? 10,
    resetTokenTtlSeconds: env.RESET_TOKEN_TTL ?? 30 * 60,
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT ?? null,
    smtpUrl: env.SMTP_URL ?? null,
    mailFrom: env.MAIL_FROM ?? 'TaskFlow <no-reply@taskflow.local>',
    bootstrapAdmin:
      env.BOOTSTRAP_ADMIN_ID && env.BOOTSTRAP_ADMIN_PASSWORD
        ? { id: env.BOOTSTRAP_ADMIN_ID, password: env.BOOTSTRAP_ADMIN_PASSWORD }
        : null,
    rateLimitGlobal: parseRate(env.RATE_LIMIT_GLOBAL ?? '600/60s'),
    rateLimitAuth: parseRate(env.RATE_LIMIT_AUTH ?? '10/60s'),
    idempotencyTtlSeconds: env.IDEMPOTENCY_TTL ?? 24 * 60 * 60,
    requestTimeoutSeconds,
    connectionTimeoutSeconds,
    eventStreamsPerAccount: env.EVENT_STREAMS_PER_ACCOUNT ?? 5,
    eventStreamMaxSeconds: env.EVENT_STREAM_MAX_SECONDS ?? 30 * 60,
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim().toLowerCase())
      .filter((origin) => origin !== ''),
    webhookDispatch: (env.WEBHOOK_DISPATCH ?? 'on') === 'on',
    webhookAllowPrivate: (env.WEBHOOK_ALLOW_PRIVATE ?? String(devMode)) === 'true',
    webhookMaxInFlightPerEndpoint,
    webhookMaxInFlight,
  });
}
