/**
 * The anchor's work (issue 17): what the app's authenticated `GET /tasks/:id` and its keyed
 * transitions do, written by hand with plain Maps, for two servers that differ only in the
 * framework around it: bench/anchor-server.ts (bare Fastify routes) and
 * bench/nest-anchor-server.ts (a Nest app: a global guard and controllers). Per request:
 * - verify the HS256 bearer JWT with jsonwebtoken and a KeyObject (the app's secret, issuer and
 *   audience), the verified claims remembered by token text until `exp`;
 * - read the account from a Map (active, sessions valid after), count a fixed window per account;
 * - read the task from a Map and check visibility (GET), or check the transition (POST);
 * - a keyed transition claims the Idempotency-Key (fingerprint: SHA-256 of the body), writes an
 *   audit entry and the new task, and records the answer under the key, all in Maps;
 * - ETag, X-Request-ID, RateLimit-Policy and RateLimit headers; the DTO, JSON.stringify;
 * - one pino line per request (the app's redaction paths) at LOG_LEVEL, as the app does.
 * POST /tasks and the `assign` action exist for the runner's set-up only.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import jwt from 'jsonwebtoken';
import { createHash, createSecretKey, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { pino, stdTimeFunctions } from 'pino';

const DIST = path.resolve(__dirname, '../dist/apps/api');
const WINDOW_MS = 60_000;
const LIMIT = 1_000_000_000;
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

interface Claims {
  sub: string;
  role: string;
  iat_ms: number;
  exp: number;
}
export interface Account {
  id: string;
  active: boolean;
  sessionsValidAfter: number;
}
export interface Task {
  id: string;
  title: string;
  description: string;
  status: string;
  priority: string;
  dueAt: Date | null;
  creatorId: string;
  assigneeId: string | null;
  reviewerId: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}
export type AnchorRequest = FastifyRequest & { actor?: Account };

/** An action's outcome: the status to answer with, and the answer's task and text on success. */
export type Outcome = { status: number; task?: Task; answer?: string };

/** action → [statuses it leaves, status it reaches, who may do it]. */
const TRANSITIONS: Record<string, [string[], string, 'assignee' | 'reviewer']> = {
  start: [['assigned', 'rejected'], 'in_progress', 'assignee'],
  submit: [['in_progress'], 'submitted', 'assignee'],
  reject: [['submitted'], 'rejected', 'reviewer'],
};

export type AnchorWork = Awaited<ReturnType<typeof anchorWork>>;

export async function anchorWork() {
  const { REDACTED_PATHS } = (await import(
    `${DIST}/libs/platform/src/observability/logging.js`
  )) as {
    REDACTED_PATHS: string[];
  };
  const log = pino({
    level: process.env.LOG_LEVEL ?? 'warn',
    redact: { paths: [...REDACTED_PATHS] },
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  });
  const key = createSecretKey(Buffer.from(process.env.JWT_SECRET as string));
  const verified = new Map<string, Claims>();
  const accounts = new Map<string, Account>(
    ['u_alice', 'u_bob'].map((id) => [id, { id, active: true, sessionsValidAfter: 0 }]),
  );
  const counters = new Map<string, number>();
  const tasks = new Map<string, Task>();
  const audit = new Map<string, object>();
  const idempotency = new Map<string, { fingerprint: string; status?: number; body?: string }>();

  const dto = (task: Task) => ({
    id: task.id,
    title: task.title,
    description: task.description,
    status: task.status,
    priority: task.priority,
    due_at: task.dueAt?.toISOString() ?? null,
    creator_id: task.creatorId,
    assignee_id: task.assigneeId,
    reviewer_id: task.reviewerId,
    version: task.version,
    created_at: task.createdAt.toISOString(),
    updated_at: task.updatedAt.toISOString(),
  });

  return {
    /** Fastify's `genReqId`: a sane X-Request-ID is kept, anything else replaced. */
    genReqId(raw: { headers: FastifyRequest['headers'] }): string {
      const header = raw.headers['x-request-id'];
      return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
    },

    /** The bearer token, the account and the counter; the failure's status, or the actor. */
    authenticate(request: AnchorRequest, reply: FastifyReply): Account | number {
      const header = request.headers.authorization;
      const token = header?.startsWith('Bearer ') ? header.slice(7) : '';
      let claims = verified.get(token);
      if (claims && claims.exp * 1000 <= Date.now()) {
        verified.delete(token);
        claims = undefined;
      }
      if (!claims) {
        try {
          claims = jwt.verify(token, key, {
            algorithms: ['HS256'],
            issuer: 'taskflow',
            audience: 'taskflow-api',
          }) as Claims;
        } catch {
          return 401;
        }
        verified.set(token, claims);
      }
      const account = accounts.get(claims.sub);
      if (!account || !account.active || claims.iat_ms < account.sessionsValidAfter) return 401;
      request.actor = account;
      const window = Math.floor(Date.now() / WINDOW_MS);
      const counter = `${account.id}:${window}`;
      const hits = (counters.get(counter) ?? 0) + 1;
      counters.set(counter, hits);
      const reset = Math.ceil(((window + 1) * WINDOW_MS - Date.now()) / 1000);
      void reply
        .header('x-request-id', request.id)
        .header('ratelimit-policy', `"global";q=${LIMIT};w=${WINDOW_MS / 1000}`)
        .header('ratelimit', `"global";r=${Math.max(0, LIMIT - hits)};t=${reset}`);
      return hits > LIMIT ? 429 : account;
    },

    dto,

    /** The task if the actor may see it. */
    read(actor: Account, id: string): Task | undefined {
      const task = tasks.get(id);
      const visible =
        task &&
        (task.creatorId === actor.id ||
          task.assigneeId === actor.id ||
          task.reviewerId === actor.id);
      return visible ? task : undefined;
    },

    create(actor: Account, title: string): Task {
      const now = new Date();
      const task: Task = {
        id: `t_${randomUUID().replaceAll('-', '')}`,
        title,
        description: '',
        status: 'new',
        priority: 'normal',
        dueAt: null,
        creatorId: actor.id,
        assigneeId: null,
        reviewerId: null,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      tasks.set(task.id, task);
      return task;
    },

    /** A transition (and the set-up's `assign`): the checks and the writes, in Maps. */
    act(
      actor: Account,
      request: { method: string; url: string; headers: FastifyRequest['headers'] },
      id: string,
      action: string,
      body: Record<string, unknown> = {},
    ): Outcome {
      const task = tasks.get(id);
      if (!task) return { status: 404 };
      const now = new Date();
      if (action === 'assign') {
        const assigned = { ...task, assigneeId: body.assignee_id as string, status: 'assigned' };
        const next = { ...assigned, version: task.version + 1, updatedAt: now };
        tasks.set(id, next);
        return { status: 200, task: next, answer: JSON.stringify(dto(next)) };
      }
      const rule = TRANSITIONS[action];
      const text = action === 'reject' ? body.reason : body.comment;
      if (!rule || (text !== undefined && typeof text !== 'string')) return { status: 400 };
      const idempotencyKey = request.headers['idempotency-key'];
      if (typeof idempotencyKey !== 'string') return { status: 400 };
      const claimKey = `${actor.id}:${idempotencyKey}`;
      const fingerprint = createHash('sha256')
        .update(`${request.method} ${request.url} ${JSON.stringify(body)}`)
        .digest('base64url');
      if (idempotency.has(claimKey)) return { status: 409 };
      idempotency.set(claimKey, { fingerprint });
      const [from, to, who] = rule;
      const allowed =
        who === 'assignee'
          ? task.assigneeId === actor.id
          : task.reviewerId === actor.id || task.creatorId === actor.id;
      if (!allowed || !from.includes(task.status)) {
        idempotency.delete(claimKey);
        return { status: 409 };
      }
      const next: Task = { ...task, status: to, version: task.version + 1, updatedAt: now };
      audit.set(randomUUID(), {
        task_id: id,
        actor_id: actor.id,
        action,
        from: task.status,
        to,
        text: text ?? null,
        at: now,
      });
      tasks.set(id, next);
      const answer = JSON.stringify(dto(next));
      idempotency.set(claimKey, { fingerprint, status: 200, body: answer });
      return { status: 200, task: next, answer };
    },

    /** Fastify's `onResponse` hook: the request line, as the app writes it. */
    requestLine(request: AnchorRequest, reply: FastifyReply, done: () => void): void {
      if (log.isLevelEnabled('info')) {
        log.info(
          {
            request_id: request.id,
            req: {
              method: request.method,
              url: request.url,
              remote_address: request.ip,
              headers: request.headers,
            },
            route: request.routeOptions.url ?? 'unmatched',
            account_id: request.actor?.id ?? null,
            status: reply.statusCode,
            duration_ms: Math.round(reply.elapsedTime),
          },
          'request completed',
        );
      }
      done();
    },
  };
}
