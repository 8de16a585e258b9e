import { buildMessage, ValidateBy, ValidationOptions } from 'class-validator';

/**
 * RFC 3339 §5.6 `date-time` with its offset: `2024-05-01T09:30:00Z`, `…00.250+02:00`. The upper
 * case T and Z only, no leap second (JavaScript dates have none), and every field in its range,
 * so whatever passes is a real instant that `new Date` reads as such.
 */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|([+-])(\d{2}):(\d{2}))$/;

const daysIn = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

export function isRfc3339DateTime(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = RFC3339.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const offsetOk = m[8] === 'Z' || (Number(m[10]) <= 23 && Number(m[11]) <= 59);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysIn(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetOk &&
    !Number.isNaN(new Date(value).getTime())
  );
}

/** class-validator: an RFC 3339 date-time with an offset; one without is refused, not guessed. */
export function IsRfc3339DateTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRfc3339DateTime',
      validator: {
        validate: (value: unknown) => isRfc3339DateTime(value),
        defaultMessage: buildMessage(
          (each) =>
            `${each}$property must be an RFC 3339 date-time with an offset, like 2024-05-01T09:30:00Z or 2024-05-01T11:30:00+02:00`,
          options,
        ),
      },
    },
    options,
  );
}
