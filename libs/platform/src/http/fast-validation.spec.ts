import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { FastValidator } from './fast-validation';

class Comment {
  @IsOptional()
  @IsString()
  @MaxLength(5)
  comment?: string;
}

class Tags {
  @IsIn(['a', 'b'], { each: true })
  tags!: string[];
}

class Trimmed {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  name!: string;
}

class Nested {
  @ValidateNested()
  @Type(() => Comment)
  inner!: Comment;
}

class Bare {
  name?: string;
}

describe('FastValidator', () => {
  const fast = new FastValidator();

  it('answers a valid plain body with an instance of its class, the fields copied', () => {
    const result = fast.validate(Comment, { comment: 'hi' });
    expect(result).toBeInstanceOf(Comment);
    expect(result).toEqual(Object.assign(new Comment(), { comment: 'hi' }));
    expect(fast.validate(Comment, undefined)).toBeInstanceOf(Comment);
    const tags = ['a', 'b'];
    const copied = fast.validate(Tags, { tags }) as Tags;
    expect(copied.tags).toEqual(tags);
    expect(copied.tags).not.toBe(tags);
  });

  it('leaves to the usual path every body that breaks a rule or carries an unknown field', () => {
    expect(fast.validate(Comment, { comment: 'too long' })).toBeUndefined();
    expect(fast.validate(Comment, { comment: 5 })).toBeUndefined();
    expect(fast.validate(Comment, { other: 'x' })).toBeUndefined();
    expect(fast.validate(Tags, { tags: ['a', 'c'] })).toBeUndefined();
    expect(fast.validate(Tags, {})).toBeUndefined();
  });

  it('leaves to the usual path the values and classes it cannot judge', () => {
    expect(fast.validate(Trimmed, { name: ' x ' })).toBeUndefined();
    expect(fast.validate(Nested, { inner: { comment: 'x' } })).toBeUndefined();
    expect(fast.validate(Bare, { name: 'x' })).toBeUndefined();
    expect(fast.validate(Comment, { comment: { text: 'x' } })).toBeUndefined();
    expect(fast.validate(Comment, [])).toBeUndefined();
    expect(fast.validate(Comment, 'text')).toBeUndefined();
  });
});
