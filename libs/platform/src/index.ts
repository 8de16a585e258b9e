// The kernel every module shares. Idempotency and rate limits are libs of their own
// (@taskflow/idempotency, @taskflow/rate-limit).

// Module and configuration
export { PlatformModule } from './platform.module';
export type { PlatformOptions } from './platform.module';
export { AppConfig, ConfigError, loadConfig } from './config/app-config';
export type { Driver, RateLimit } from './config/app-config';
export { applicationVersion } from './version';

// Domain primitives: actors, clock, domain errors, pages
export {
  ROLES,
  isAdmin,
  viaOf,
  DEFAULT_VIA,
  Clock,
  SystemClock,
  ManualClock,
  DomainError,
  ConcurrencyConflict,
} from './domain';
export type { Role, Actor, Page, PageRequest } from './domain';
export { newId, pooledRandom } from './ids';
export { snakeCase } from './naming';

// Errors and HTTP: problem details, validation, request ids, bodies, OpenAPI, paging
export { isExpected, toProblem } from './errors/problem';
export type { ProblemBody, ProblemContext } from './errors/problem';
export {
  INTERNAL_PROBLEM,
  PROBLEM_CATALOG,
  PROBLEM_TYPE_BASE,
  problemTypeForStatus,
} from './errors/problem-catalog';
export type { ProblemType } from './errors/problem-catalog';
export {
  PROBLEM_CONTENT_TYPE,
  ProblemDetailsFilter,
  problemResponse,
  sendProblem,
} from './http/problem.filter';
export type { ProblemResponse } from './http/problem.filter';
export { answerClientError } from './http/client-error';
export { clientGone } from './http/client-gone';
export { acceptOnlyJsonBodies, jsonDepth, MAX_JSON_DEPTH } from './http/json-body';
export { requestIdFrom } from './http/request-id';
export {
  CORS_ALLOWED_HEADERS,
  CORS_EXPOSED_HEADERS,
  secureHttp,
  setBaselineHeaders,
} from './http/http-security';
export { IsRfc3339DateTime, isRfc3339DateTime } from './http/date-time';
export type { RequestWithActor } from './http/request-with-actor';
export { RouteMetadata, StaticMetadataReflector } from './http/static-metadata-reflector';
export { freeParameterIndex, wrapHandler } from './http/handler-wrappers';
export type { HandlerWrapper, RouteHandler } from './http/handler-wrappers';
export { createValidationPipe, RequestValidationError } from './http/validation';
export type { FieldError } from './http/validation';
export {
  ApiProblems,
  documentOptionalBodies,
  documentTransportProblems,
  FieldErrorDto,
  ProblemDto,
} from './http/openapi';
export {
  ACTION_VERBS,
  nameOperations,
  OPERATION_VERBS,
  operationIdFor,
  operationIdsByRule,
} from './http/operation-ids';
export {
  DEFAULT_PAGE_SIZE,
  encodeCursor,
  MAX_PAGE_SIZE,
  PageQuery,
  pageRequestFrom,
} from './http/pagination';

// Persistence: unit of work, driver switch, checkpoints, migrations, storage facts
export { UnitOfWork } from './persistence/unit-of-work';
export { MemoryUnitOfWork } from './persistence/memory-unit-of-work';
export type { MemoryWrite } from './persistence/memory-unit-of-work';
export { pageOf } from './persistence/memory-paging';
export { bindDriver } from './persistence/driver-bindings';
export type { DriverAdapters, DriverBindings } from './persistence/driver-bindings';
export { Checkpoints, MemoryCheckpoints } from './persistence/checkpoints';
export { assertMigrationList, checksumOf, isIndexStep } from './persistence/migration';
export type {
  BackfillStep,
  IndexStep,
  Migration,
  MigrationStep,
  StampStep,
} from './persistence/migration';
export { MigrationCheck, NoMigrations } from './persistence/migration-check';
export { MemoryStorageInfo, StorageInfo } from './persistence/storage-info';

// Telling database faults apart (the problem filter's, on either driver; no driver loaded). The
// Mongo adapters' own parts are at @taskflow/platform/mongo, which loads mongoose.
export {
  DatabaseUnavailable,
  isDatabaseUnavailable,
  isDuplicateKey,
} from './persistence/mongo/mongo-errors';

// Logging, metrics, readiness
export {
  createRootLogger,
  enterRequestLogContext,
  fastifyLoggerOptions,
  loggableUrl,
  loggerParams,
  nestLogger,
  REDACTED_PATHS,
  RequestLogController,
  requestSummary,
  routeTemplate,
} from './observability/logging';
export type { LoggingOptions } from './observability/logging';
export { ReadinessIndicator } from './observability/readiness';
