export * from './application/actor-resolver';
export * from './application/dev-accounts.seeder';
export * from './domain';
export * from './http/actor.guard';
export * from './http/auth.decorators';
export * from './identity.module';
export * from './ports/account-lookup';
export * from './ports/account.repository';
