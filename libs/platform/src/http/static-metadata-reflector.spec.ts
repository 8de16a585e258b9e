import { ExecutionContext, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RouteMetadata, StaticMetadataReflector } from './static-metadata-reflector';

const Role = (role: string) => SetMetadata('role', role);

@Role('class')
class Decorated {
  @Role('method')
  handler(): void {}

  plain(): void {}
}

describe('StaticMetadataReflector', () => {
  const targets = (name: 'handler' | 'plain') => [Decorated.prototype[name], Decorated];

  it('answers what Nest’s Reflector answers, hits and misses alike', () => {
    const reflector = new StaticMetadataReflector();
    const nest = new Reflector();
    for (const name of ['handler', 'plain'] as const) {
      for (const key of ['role', 'absent']) {
        expect(reflector.getAllAndOverride(key, targets(name))).toEqual(
          nest.getAllAndOverride(key, targets(name)),
        );
      }
    }
    expect(reflector.getAllAndOverride('role', targets('handler'))).toBe('method');
    expect(reflector.getAllAndOverride('role', targets('plain'))).toBe('class');
    expect(reflector.getAllAndOverride('absent', targets('plain'))).toBeUndefined();
  });

  it('reads each (target, key) from reflect-metadata once', () => {
    const reflector = new StaticMetadataReflector();
    const read = jest.spyOn(Reflect, 'getMetadata');
    try {
      for (let i = 0; i < 3; i++) reflector.getAllAndOverride('absent', targets('plain'));
      expect(read).toHaveBeenCalledTimes(2);
    } finally {
      read.mockRestore();
    }
  });
});

@Role('subclass')
class Inheriting extends Decorated {}

describe('RouteMetadata', () => {
  const route = (controller: typeof Decorated, name: 'handler' | 'plain') =>
    ({
      getHandler: () => controller.prototype[name],
      getClass: () => controller,
    }) as unknown as ExecutionContext;

  it('derives once per route what the reflector answers for its handler and class', () => {
    const derive = jest.fn(
      (targets: Parameters<Reflector['getAllAndOverride']>[1], reflector: Reflector) =>
        reflector.getAllAndOverride<string>('role', targets),
    );
    const role = new RouteMetadata(derive);
    for (let i = 0; i < 3; i++) {
      expect(role.of(route(Decorated, 'handler'))).toBe('method');
      expect(role.of(route(Decorated, 'plain'))).toBe('class');
    }
    expect(derive).toHaveBeenCalledTimes(2);
  });

  it('answers an inherited handler for the controller at hand', () => {
    const role = new RouteMetadata((targets, reflector) =>
      reflector.getAllAndOverride<string>('role', targets),
    );
    expect(role.of(route(Decorated, 'plain'))).toBe('class');
    expect(role.of(route(Inheriting, 'plain'))).toBe('subclass');
    expect(role.of(route(Decorated, 'plain'))).toBe('class');
  });
});
