export { CURRENT_FILE, resolveCurrentPointer, ModelRegistry, type RegisterOptions, type RegistryOptions } from './registry.js';
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
