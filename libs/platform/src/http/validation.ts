import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError } from '../domain/domain-error';

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

function flatten(errors: readonly ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

export class RequestValidationError extends DomainError {
  constructor(readonly errors: readonly FieldError[]) {
    super('REQUEST.VALIDATION', errors.map((e) => e.message).join('; '), { errors });
  }
}

/**
 * Keys class-transformer drops silently, so the whitelist would never see them as unknown: it
 * skips every key whose value on a fresh instance is a function (`toString`, `hasOwnProperty`
 * and the other members of Object.prototype, or a DTO's own methods) or a getter without setter,
 * and never copies `constructor`, `prototype` or `__proto__`.
 */
function hiddenKeys(value: object, metatype: ArgumentMetadata['metatype']): string[] {
  const prototype: object = (metatype?.prototype as object | undefined) ?? Object.prototype;
  return Object.keys(value).filter(
    (key) => key === 'prototype' || key === '__proto__' || key in prototype,
  );
}

class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if ((metadata.type === 'body' || metadata.type === 'query') && isObject(value)) {
      const hidden = hiddenKeys(value, metadata.metatype);
      if (hidden.length > 0) {
        throw new RequestValidationError(
          hidden.map((field) => ({ field, message: `property ${field} should not exist` })),
        );
      }
    }
    return super.transform(value, metadata);
  }
}

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

/** The one global pipe: unknown fields are errors, and every error lands in the `errors` list. */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationError(flatten(errors)),
  });
}
