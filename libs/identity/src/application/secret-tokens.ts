import { Injectable } from '@nestjs/common';
import { AppConfig } from '@taskflow/platform';
import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/** A secret handed to a client once (refresh or reset token): 256 random bits. */
export const newSecretToken = (): string => randomBytes(32).toString('base64url');

/**
 * How a secret token is stored and looked up. A plain SHA-256 is enough: the tokens carry 256
 * random bits, so there is no dictionary to slow down, unlike passwords.
 */
export const hashSecretToken = (token: string): string =>
  createHash('sha256').update(token).digest('base64url');

/**
 * The successor of a refresh token is HMAC(key, token): whoever presents the token again within
 * the grace window gets the same successor back without it ever being stored, and the stored
 * hashes alone (a database dump) reveal nothing. The key is derived from JWT_SECRET with its own
 * HKDF label, so it never signs anything.
 */
@Injectable()
export class RefreshTokenSuccessors {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    this.key = Buffer.from(
      hkdfSync('sha256', config.jwt.secret, '', 'taskflow refresh-token successor', 32),
    );
  }

  successorOf(token: string): string {
    return createHmac('sha256', this.key).update(token).digest('base64url');
  }
}
