import type { MetadataStorage as TransformerStorage } from 'class-transformer/types/MetadataStorage';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { ValidationArguments, ValidatorConstraintInterface } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

// The storage of class-transformer's decorators, which its package exports only from this path
// (as @nestjs/mapped-types reads it); the bundle resolves both to the same CommonJS module.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as {
  defaultMetadataStorage: TransformerStorage;
};

/** One of class-validator's checks of a property, with the validators it runs. */
interface Check {
  readonly metadata: ValidationMetadata;
  readonly validators: readonly ValidatorConstraintInterface[];
}

interface PropertyPlan {
  readonly property: string;
  /** @IsOptional(), @ValidateIf(): the property is checked only when all of them say so. */
  readonly conditions: readonly ((object: object, value: unknown) => boolean)[];
  readonly checks: readonly Check[];
}

/** What compile() makes of a DTO class, once: its properties' rules and the set of their names. */
interface ClassPlan {
  readonly properties: readonly PropertyPlan[];
  /** whitelist + forbidNonWhitelisted: the keys a value may hold. */
  readonly known: ReadonlySet<string>;
}

/**
 * Answers whether a body or query is valid for its DTO class — the same verdict class-validator
 * gives `plainToInstance(metatype, value)` under the global pipe's options (whitelist,
 * forbidNonWhitelisted, forbidUnknownValues, no groups, no skipping) — and, when it is, the same
 * instance; `undefined` otherwise, and for whatever it cannot judge, so that the pipe then takes
 * its usual path and builds the 400 it always built (bench/README.md, issue 17; the spec compares
 * the two paths on a corpus of good and bad bodies).
 *
 * It reads class-validator's own metadata of the class and runs the validators the decorators
 * registered, so no rule is written twice: what it leaves out is the per-request work around them
 * (class-transformer's walk, the executor's error objects, its promises). A class is judged
 * only if every rule is synchronous and none is nested (@ValidateNested, promises), and if
 * class-transformer would copy its properties as they are (no @Type, @Transform, @Expose or
 * @Exclude on it); values are only primitives, null and arrays of those.
 */
export class FastValidator {
  private readonly plans = new WeakMap<object, ClassPlan | null>();

  /** The instance the pipe would return for a valid value, or undefined (take the usual path). */
  validate(metatype: new () => object, value: unknown): object | undefined {
    const plan = this.planFor(metatype);
    if (plan === null) return undefined;
    const entity = copyOf(metatype, value ?? {});
    if (entity === undefined) return undefined;
    return this.passes(entity, plan) ? entity : undefined;
  }

  private passes(entity: object, { properties, known }: ClassPlan): boolean {
    // whitelist + forbidNonWhitelisted: a property without any rule is an error.
    for (const key of Object.keys(entity)) if (!known.has(key)) return false;
    for (const { property, conditions, checks } of properties) {
      const value: unknown = (entity as Record<string, unknown>)[property];
      if (!allHold(conditions, entity, value)) continue;
      const isArray = Array.isArray(value);
      for (const { metadata, validators } of checks) {
        if (metadata.validateIf && !metadata.validateIf(entity, value)) continue;
        const args: ValidationArguments = {
          targetName: entity.constructor.name,
          property,
          object: entity,
          value,
          constraints: metadata.constraints,
        };
        // `each`: every item of an array is checked, anything else as a whole.
        const items = metadata.each && isArray ? (value as unknown[]) : undefined;
        for (const validator of validators) {
          // A promise (an async rule registered after all) is left to the usual path.
          if (items === undefined) {
            if (validator.validate(value, args) !== true) return false;
          } else {
            for (const item of items) if (validator.validate(item, args) !== true) return false;
          }
        }
      }
    }
    return true;
  }

  private planFor(metatype: new () => object): ClassPlan | null {
    let plan = this.plans.get(metatype);
    if (plan === undefined) {
      plan = compile(metatype);
      this.plans.set(metatype, plan);
    }
    return plan;
  }
}

/** `conditions.every(...)` without a closure per property. */
function allHold(conditions: PropertyPlan['conditions'], entity: object, value: unknown): boolean {
  for (const condition of conditions) if (!condition(entity, value)) return false;
  return true;
}

const JUDGED = new Set<string>([
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.CONDITIONAL_VALIDATION,
  ValidationTypes.IS_DEFINED,
  ValidationTypes.WHITELIST,
]);

/** The class's rules by property, or null when they cannot be judged here. */
function compile(metatype: new () => object): ClassPlan | null {
  const storage = getMetadataStorage();
  // The same call class-validator's executor makes for `validate(instance, { no groups })`.
  const metadatas = storage.getTargetValidationMetadatas(
    metatype,
    undefined as unknown as string,
    false,
    false,
    undefined,
  );
  // No rules at all: forbidUnknownValues refuses the value (the usual path says so).
  if (metadatas.length === 0) return null;
  if (metadatas.some((metadata) => !JUDGED.has(metadata.type))) return null;
  if (!copiedAsIs(metatype, Object.keys(storage.groupByPropertyName(metadatas)))) return null;
  const plan: PropertyPlan[] = [];
  for (const [property, rules] of Object.entries(storage.groupByPropertyName(metadatas))) {
    const conditions = rules
      .filter((rule) => rule.type === ValidationTypes.CONDITIONAL_VALIDATION)
      .map((rule) => rule.constraints[0] as (object: object, value: unknown) => boolean);
    const checks: Check[] = [];
    for (const rule of rules) {
      if (
        rule.type !== ValidationTypes.CUSTOM_VALIDATION &&
        rule.type !== ValidationTypes.IS_DEFINED
      )
        continue;
      const constraints = storage.getTargetValidatorConstraints(rule.constraintCls);
      if (constraints.some((constraint) => constraint.async)) return null;
      checks.push({
        metadata: rule,
        validators: constraints.map((constraint) => constraint.instance),
      });
    }
    plan.push({ property, conditions, checks });
  }
  return { properties: plan, known: new Set(plan.map(({ property }) => property)) };
}

/** class-transformer copies the value's properties as they are: nothing on the class says otherwise. */
function copiedAsIs(metatype: new () => object, properties: readonly string[]): boolean {
  if (defaultMetadataStorage.getStrategy(metatype) !== 'none') return false;
  if (defaultMetadataStorage.getExposedMetadatas(metatype).length > 0) return false;
  if (defaultMetadataStorage.getExcludedMetadatas(metatype).length > 0) return false;
  return properties.every(
    (property) =>
      defaultMetadataStorage.findTypeMetadata(metatype, property) === undefined &&
      defaultMetadataStorage.findTransformMetadatas(metatype, property, PLAIN_TO_CLASS).length ===
        0,
  );
}

/** class-transformer's TransformationType.PLAIN_TO_CLASS. */
const PLAIN_TO_CLASS = 0;

const isScalar = (value: unknown): boolean =>
  value === null ||
  typeof value === 'string' ||
  typeof value === 'number' ||
  typeof value === 'boolean';

/** An array of scalars without gaps (class-transformer's copy would close them). */
function isScalarArray(value: unknown): value is unknown[] {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (!(i in value) || !isScalar(value[i])) return false;
  return true;
}

/**
 * `plainToInstance(metatype, value)` for a plain object of scalars and arrays of scalars (a new
 * instance, the properties in their order, arrays copied); undefined for anything else, and for
 * a key class-transformer would skip (one the class's prototype or a new instance holds as a
 * function or getter; the pipe refuses those before, see hiddenKeys).
 */
function copyOf(metatype: new () => object, value: unknown): object | undefined {
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) {
    return undefined;
  }
  const entity = new metatype() as Record<string, unknown>;
  const prototype = metatype.prototype as object;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (key in prototype || key === '__proto__' || typeof entity[key] === 'function') {
      return undefined;
    }
    if (isScalar(item)) entity[key] = item;
    else if (isScalarArray(item)) entity[key] = item.slice();
    else return undefined;
  }
  return entity;
}
