import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { PageRequest } from '../domain/page';
import { RequestValidationError } from './validation';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  // Only plain decimal digits become a number: Number() would also take ' 10', '0x10' or '1e2'.
  @Transform(({ value }) =>
    typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value,
  )
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `next_cursor` of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

/** Cursors are opaque to clients: the sort key of the last item, base64url-encoded. */
export function encodeCursor(key: string | null): string | null {
  return key === null ? null : Buffer.from(key, 'utf8').toString('base64url');
}

/** Decodes a cursor and checks its key has the shape `valid` expects; anything else is a 400. */
export function pageRequestFrom(query: PageQuery, valid: (key: string) => boolean): PageRequest {
  let after: string | null = null;
  if (query.cursor !== undefined) {
    const key = Buffer.from(query.cursor, 'base64url').toString('utf8');
    if (encodeCursor(key) !== query.cursor || !valid(key)) {
      throw new RequestValidationError([
        { field: 'cursor', message: 'cursor is malformed; use a next_cursor from a previous page' },
      ]);
    }
    after = key;
  }
  return { limit: query.limit ?? DEFAULT_PAGE_SIZE, after };
}
