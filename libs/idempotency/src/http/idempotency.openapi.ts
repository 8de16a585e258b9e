import type { OpenAPIObject, OperationObject, PathItemObject } from '@nestjs/swagger';
import { getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, ProblemDto } from '@taskflow/platform';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_KEY_PATTERN,
  idempotencyKeyDescription,
  IDEMPOTENT_METHODS,
} from '../domain/idempotency-key';
import { IDEMPOTENT_EXTENSION } from './idempotent.decorator';

const problem = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } },
});

type OperationWithExtensions = OperationObject & Record<`x-${string}`, unknown>;

/**
 * Documents Idempotency-Key on every operation marked @Idempotent(), where its guard and handler
 * honour it, with their own rule and the configured IDEMPOTENCY_TTL.
 */
export function documentIdempotencyKeys(
  document: OpenAPIObject,
  ttlSeconds: number,
): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of IDEMPOTENT_METHODS) {
      const key = method.toLowerCase() as keyof PathItemObject;
      const operation = item[key] as OperationWithExtensions | undefined;
      if (operation?.[IDEMPOTENT_EXTENSION] !== true) continue;
      delete operation[IDEMPOTENT_EXTENSION];
      operation.parameters = [
        ...(operation.parameters ?? []),
        {
          name: IDEMPOTENCY_KEY_HEADER,
          in: 'header',
          required: false,
          description: idempotencyKeyDescription(ttlSeconds),
          schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN },
        },
      ];
      operation.responses['400'] ??= problem('The request, or its Idempotency-Key, is not valid');
      operation.responses['409'] ??= problem(
        'A request with this Idempotency-Key is still running',
      );
      operation.responses['422'] ??= problem('The Idempotency-Key was used with another body');
    }
  }
  return document;
}
