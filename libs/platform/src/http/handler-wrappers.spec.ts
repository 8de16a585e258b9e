import { HttpCode, Post } from '@nestjs/common';
import { HTTP_CODE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { HandlerWrapper, wrapHandler } from './handler-wrappers';

/** A wrapper that records its name around what it wraps. */
const tagging = (name: string, outermost = false): MethodDecorator => {
  const wrapper: HandlerWrapper = {
    outermost,
    wrap: (handler) =>
      async function (this: unknown, ...args: unknown[]) {
        return `${name}(${String(await handler.apply(this, args))})`;
      },
  };
  return (_target, _key, descriptor) => wrapHandler(descriptor as PropertyDescriptor, wrapper);
};

class Probe {
  @Post('below')
  @tagging('outer', true)
  @HttpCode(200)
  @tagging('inner')
  outerListedFirst(): Promise<string> {
    return Promise.resolve('handler');
  }

  @tagging('inner')
  @Post('above')
  @tagging('outer', true)
  innerListedFirst(): Promise<string> {
    return Promise.resolve('handler');
  }
}

describe('wrapHandler', () => {
  it('runs an outermost wrapper around the others, whichever is applied first', async () => {
    expect(await new Probe().outerListedFirst()).toBe('outer(inner(handler))');
    expect(await new Probe().innerListedFirst()).toBe('outer(inner(handler))');
  });

  it('keeps the metadata of decorators applied before and after each wrapper', () => {
    expect(Reflect.getMetadata(PATH_METADATA, Probe.prototype.outerListedFirst)).toBe('below');
    expect(Reflect.getMetadata(HTTP_CODE_METADATA, Probe.prototype.outerListedFirst)).toBe(200);
    expect(Reflect.getMetadata(PATH_METADATA, Probe.prototype.innerListedFirst)).toBe('above');
    expect(Probe.prototype.innerListedFirst.name).toBe('innerListedFirst');
  });
});
