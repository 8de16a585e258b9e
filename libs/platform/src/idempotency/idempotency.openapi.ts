import type { OpenAPIObject, OperationObject } from '@nestjs/swagger';
import { getSchemaPath } from '@nestjs/swagger';
import { ProblemDto } from '../http/openapi';
import { PROBLEM_CONTENT_TYPE } from '../http/problem.filter';
import { IDEMPOTENT_EXTENSION } from './idempotent.decorator';

const problem = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } },
});

type OperationWithExtensions = OperationObject & Record<`x-${string}`, unknown>;

/** Documents Idempotency-Key on every operation marked @Idempotent(), where the interceptor honours it. */
export function documentIdempotencyKeys(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const operation of [item.post, item.patch] as (OperationWithExtensions | undefined)[]) {
      if (operation?.[IDEMPOTENT_EXTENSION] !== true) continue;
      delete operation[IDEMPOTENT_EXTENSION];
      operation.parameters = [
        ...(operation.parameters ?? []),
        {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: 'Repeat a request safely: the first answer is replayed for 24 hours',
          // The interceptor's own rule (printable ASCII), so generated clients and fuzzers know it.
          schema: { type: 'string', pattern: '^[\\x20-\\x7e]{1,255}$' },
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
