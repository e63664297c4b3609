export { CURRENT_FILE, resolveCurrentPointer, ModelRegistry, type RegisterOptions, type RegistryOptions } from './registry.js';
export { asRegistry, FileRegistry, type PruneOptions, type Registry, type RegistryWatch } from './registry-api.js';
export { isPostgresUrl, openRegistry } from './open-registry.js';
export { PostgresRegistry, type PostgresRegistryOptions } from './postgres/postgres-registry.js';
export { DEFAULT_CHUNK_BYTES } from './postgres/artifacts.js';
export { PRODUCTION_CHANNEL } from './postgres/schema.js';
export { withLock, writeFileAtomic, type LockOptions } from './fs-atomic.js';
export {
  RegistryError,
  RegistryLockedError,
  VERSION_STATUSES,
  type HistoryAction,
  type ModelVersion,
  type StatusChange,
  type VersionManifest,
  type VersionMetrics,
  type VersionStatus,
} from './types.js';
export { VERSION_FILE, VERSION_ID_PATTERN } from './version-file.js';
