import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Actor, AppConfig } from '@taskflow/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { Passport } from 'passport';
import { ExtractJwt, Strategy as JwtStrategy, VerifiedCallback } from 'passport-jwt';
import { ActorResolver } from '../../application/actor-resolver';
import { Unauthenticated } from '../../domain/credentials';
import type { AccessTokenClaims } from '../../ports/access-token-issuer';
import { BearerAuthenticator } from '../../ports/bearer-authenticator';
import { claimsOf } from './access-token.payload';

/** Why passport-jwt refused a token, in words that give nothing away. */
function reason(info: unknown): string {
  const name = (info as { name?: unknown } | null)?.name;
  if (name === 'TokenExpiredError') return 'The access token has expired';
  if (info instanceof Error && info.message === 'No auth token') {
    return 'Send Authorization: Bearer <token>';
  }
  return 'The access token is not valid';
}

/** How many verified tokens are remembered (a few MB at most); the least recently used go. */
export const VERIFIED_TOKENS_CACHED = 10_000;

interface VerifiedToken {
  readonly claims: AccessTokenClaims;
  /** The token's `exp`, in milliseconds. */
  readonly expiresAt: number;
}

const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * Verifies `Authorization: Bearer` tokens with passport-jwt: HS256 only, signature, exp, iss and
 * aud, then the account through the ActorResolver. It keeps a passport instance of its own
 * because passport's default one is process-wide: two apps in one process (the e2e suites, a
 * multi-instance test) would otherwise share whichever strategy registered last.
 *
 * A token is verified once: its claims are remembered by its exact text until its `exp`, so a
 * client that sends the same token again skips the signature check (a fifth of the CPU of a
 * GET). The account is still read on every request, so a disable or a revoke still takes effect
 * at once; a different token, even one differing in a single character, is verified afresh.
 */
@Injectable()
export class PassportBearerAuthenticator extends BearerAuthenticator {
  private readonly passport = new Passport();
  private readonly verified = new LRUCache<string, VerifiedToken>({ max: VERIFIED_TOKENS_CACHED });

  constructor(
    config: AppConfig,
    private readonly resolver: ActorResolver,
  ) {
    super();
    this.passport.use(
      new JwtStrategy(
        {
          jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
          // A KeyObject, not the string: given a string, jsonwebtoken first tries to parse it as a
          // PEM public key on every verify, and that failing parse was a quarter of a GET's CPU.
          secretOrKey: createSecretKey(Buffer.from(config.jwt.secret)) as unknown as Buffer,
          algorithms: ['HS256'],
          issuer: config.jwt.issuer,
          audience: config.jwt.audience,
          passReqToCallback: true,
        },
        (request: FastifyRequest, payload: unknown, done: VerifiedCallback) => {
          const claims = claimsOf(payload);
          if (!claims) return done(null, false, new Error('claims'));
          const token = bearerToken(request as never) as string;
          const expiresAt = (payload as { exp: number }).exp * 1000;
          this.verified.set(token, { claims, expiresAt });
          resolver.resolveAccessToken(claims).then(
            (actor) => done(null, actor),
            (error: unknown) => done(error, false),
          );
        },
      ),
    );
  }

  authenticate(request: FastifyRequest, reply: FastifyReply): Promise<Actor> {
    const token = bearerToken(request as never);
    const known = token ? this.verified.get(token) : undefined;
    if (known && known.expiresAt > Date.now()) {
      return this.resolver.resolveAccessToken(known.claims);
    }
    return new Promise((resolve, reject) => {
      const middleware = this.passport.authenticate(
        'jwt',
        { session: false },
        (error: unknown, actor: Actor | false, info: unknown) => {
          if (error) reject(error);
          else if (!actor) reject(new Unauthenticated(reason(info)));
          else resolve(actor);
        },
      );
      middleware(request, reply, (error?: unknown) => {
        if (error) reject(error);
      });
    });
  }
}
