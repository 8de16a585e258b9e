import { Injectable } from '@nestjs/common';
import { AppConfig } from '@taskflow/platform';
import * as bcrypt from 'bcrypt';
import { PasswordHasher } from '../../ports/password-hasher';

@Injectable()
export class BcryptPasswordHasher extends PasswordHasher {
  constructor(private readonly config: AppConfig) {
    super();
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.config.bcryptCost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(password, hash);
  }
}
