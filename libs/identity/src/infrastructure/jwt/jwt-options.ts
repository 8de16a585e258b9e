import type { JwtModuleOptions } from '@nestjs/jwt';
import type { AppConfig } from '@taskflow/platform';

/** How access tokens are signed: HS256 with the configured secret, issuer, audience and lifetime. */
export function jwtOptions(config: AppConfig): JwtModuleOptions {
  return {
    secret: config.jwt.secret,
    signOptions: {
      algorithm: 'HS256',
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      expiresIn: config.jwt.accessTtlSeconds,
    },
  };
}
