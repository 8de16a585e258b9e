import type { components } from './generated/openapi';

/** An RFC 9457 problem as the API answers it; extension members (`allowed_actions`, …) too. */
export type Problem = components['schemas']['ProblemDto'] & Record<string, unknown>;

export const PROBLEM_TYPE_BASE = 'https://taskflow.dev/problems/';

/** The slug of a problem's type (`lease-lost`), or undefined when `error` is not a problem. */
export function problemSlug(error: unknown): string | undefined {
  const type = (error as { type?: unknown } | null | undefined)?.type;
  return typeof type === 'string' && type.startsWith(PROBLEM_TYPE_BASE)
    ? type.slice(PROBLEM_TYPE_BASE.length)
    : undefined;
}

/** Thrown by the helpers (login, refresh, the worker) when the API refuses a request. */
export class TaskflowError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(problem ? `${status} ${problem.title}: ${problem.detail}` : `HTTP ${status}`);
    this.name = 'TaskflowError';
  }

  get slug(): string | undefined {
    return problemSlug(this.problem);
  }
}
