import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '@taskflow/platform';
import {
  AccessTokenClaims,
  AccessTokenIssuer,
  IssuedAccessToken,
} from '../../ports/access-token-issuer';
import { payloadOf } from './access-token.payload';

/** HS256 JWTs with iss, aud, sub, role, iat and exp (set by the JwtModule's sign options). */
@Injectable()
export class JwtAccessTokenIssuer extends AccessTokenIssuer {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async issue(claims: AccessTokenClaims): Promise<IssuedAccessToken> {
    return {
      token: await this.jwt.signAsync({ ...payloadOf(claims) }),
      expiresInSeconds: this.config.jwt.accessTtlSeconds,
    };
  }
}
