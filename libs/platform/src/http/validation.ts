import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError } from '../domain/domain-error';
import { FastValidator } from './fast-validation';

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

/** The pipe's options; FastValidator gives the verdict class-validator gives under them. */
const OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
  exceptionFactory: (errors: ValidationError[]) => new RequestValidationError(flatten(errors)),
} as const;

class StrictValidationPipe extends ValidationPipe {
  constructor(private readonly fast: FastValidator | null) {
    super(OPTIONS);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      if (isObject(value)) {
        const hidden = hiddenKeys(value, metadata.metatype);
        if (hidden.length > 0) {
          throw new RequestValidationError(
            hidden.map((field) => ({ field, message: `property ${field} should not exist` })),
          );
        }
      }
      // A valid body of a plain DTO (the hot routes' bodies) skips class-transformer and the
      // validation executor; anything else, and every error, takes the usual path below.
      if (this.fast && this.toValidate(metadata)) {
        const valid = this.fast.validate(metadata.metatype as new () => object, value);
        if (valid !== undefined) return valid;
      }
    }
    return super.transform(value, metadata);
  }
}

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

/**
 * The one global pipe: unknown fields are errors, and every error lands in the `errors` list.
 * `fastPath: false` leaves every value to class-transformer and class-validator (the spec
 * compares both).
 */
export function createValidationPipe({ fastPath = true } = {}): ValidationPipe {
  return new StrictValidationPipe(fastPath ? new FastValidator() : null);
}
