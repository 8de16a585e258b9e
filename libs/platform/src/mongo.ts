// The kernel's Mongo parts (`@taskflow/platform/mongo`), for the Mongo adapters of every module,
// the migration CLI and the tests. Kept out of the index: these load mongoose and the mongodb
// driver, which the memory driver never needs (bench/README.md, "Start-up"); a module requires its
// Mongo adapters, and so this entry, only for the Mongo driver (`bindDriver`).
export { MongoCheckpoints } from './persistence/mongo/mongo-checkpoints';
export {
  CHANGELOG_COLLECTION,
  LOCK_COLLECTION,
  MongoMigrator,
} from './persistence/mongo/mongo-migrator';
export type {
  MigrationState,
  MigrationStatus,
  MigratorOptions,
} from './persistence/mongo/mongo-migrator';
export { insertClaim } from './persistence/mongo/insert-claim';
export { pageFrom, pageProbe } from './persistence/mongo/mongo-paging';
export { MongoTopology } from './persistence/mongo/mongo-topology';
export { MongoUnitOfWork } from './persistence/mongo/mongo-unit-of-work';
