import { SetMetadata } from '@nestjs/common';

export const NO_RATE_LIMIT = 'taskflow:no-rate-limit';

/** Exempts a route or controller from every rate-limit policy (probes, metrics). */
export const NoRateLimit = (): MethodDecorator & ClassDecorator => SetMetadata(NO_RATE_LIMIT, true);
