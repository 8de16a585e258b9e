import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
  OpenAPIObject,
} from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from './problem.filter';

export class FieldErrorDto {
  @ApiProperty() field!: string;
  @ApiProperty() message!: string;
}

export class ProblemDto {
  @ApiProperty({ example: 'https://taskflow.dev/problems/not-found' }) type!: string;
  @ApiProperty({ example: 'Not found' }) title!: string;
  @ApiProperty({ example: 404 }) status!: number;
  @ApiProperty() detail!: string;
  @ApiProperty({ example: '/tasks/t_01' }) instance!: string;
  @ApiProperty() request_id!: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Present on validation errors' })
  errors?: FieldErrorDto[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not valid',
  401: 'Missing or invalid credentials',
  403: 'The actor may not do this',
  404: 'Not found, or not visible to the actor',
  409: 'Conflicts with the current state',
  412: 'If-Match does not match the current version',
  413: 'Body too large',
  414: 'A path parameter is too long',
  415: 'Unsupported content type',
  422: 'Refers to something that cannot be used',
  429: 'Rate limited',
  503: 'A dependency is unavailable',
};

/** Documents problem+json error responses for the given statuses. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Error',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
}

type Operation = {
  parameters?: { in?: string }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: { $ref?: string } }> };
  responses: Record<string, unknown>;
};

const problemResponse = (status: number) => ({
  description: DESCRIPTIONS[status],
  content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } },
});

/**
 * Documents the answers Fastify gives before a controller runs: a body over the limit (413) or
 * not JSON (415), malformed JSON or a malformed path escape (400), a path parameter too long to
 * route (414).
 */
export function documentTransportProblems(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'patch', 'delete'] as const) {
      const operation = item[method] as Operation | undefined;
      if (!operation) continue;
      const statuses: number[] = [];
      if (operation.requestBody) statuses.push(400, 413, 415);
      if (operation.parameters?.some((parameter) => parameter.in === 'path'))
        statuses.push(400, 414);
      for (const status of statuses)
        operation.responses[String(status)] ??= problemResponse(status);
    }
  }
  return document;
}

/**
 * A POST whose body schema requires no field (an action's optional `comment`, a claim's
 * optional filters) is accepted without a body, as the README's curl walk sends it: Nest marks
 * every `@Body()` required, which would make a typed client send `{}`. PATCH keeps its body (an
 * update must change something).
 */
export function documentOptionalBodies(document: OpenAPIObject): OpenAPIObject {
  const schemas = (document.components?.schemas ?? {}) as Record<string, { required?: string[] }>;
  for (const item of Object.values(document.paths)) {
    const body = (item.post as Operation | undefined)?.requestBody;
    const ref = body?.content?.['application/json']?.schema?.$ref;
    const schema =
      ref === undefined ? undefined : schemas[ref.replace('#/components/schemas/', '')];
    if (body && schema && (schema.required ?? []).length === 0) body.required = false;
  }
  return document;
}
