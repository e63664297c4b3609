/**
 * The model registry's data: one `version.json` per registered model version, beside the bundle
 * files in `$ANIREC_HOME/models/<id>/`. Everything a person or a job needs to know about a
 * version (what it is, what it was trained on, how it scored, where it has been) lives in that
 * one file, so a version directory can be copied or inspected on its own.
 */

import { AnirecError } from '../errors/errors.js';
import type { BundleManifest } from '../models/bundle.js';

export const VERSION_STATUSES = ['candidate', 'production', 'archived'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

/** What caused a status change; `recover` marks the registry finishing an interrupted change. */
export type HistoryAction = 'register' | 'promote' | 'rollback' | 'archive' | 'recover';

export interface StatusChange {
  at: string;
  from: VersionStatus | null;
  to: VersionStatus;
  action: HistoryAction;
  reason: string;
}

/**
 * Evaluation numbers recorded later (by `anirec eval`, the retraining gate, monitoring). Kept
 * free-form JSON because each producer records its own figures (NDCG@20, the gate's p-value…).
 */
export type VersionMetrics = Record<string, unknown>;

/** What a version copies from its bundle's manifest: kind, params, data hash, sizes, training time, createdAt. */
export type BundleFacts = Pick<
  BundleManifest,
  'kind' | 'params' | 'dataHash' | 'nUsers' | 'nItems' | 'nInteractions' | 'trainingSeconds' | 'createdAt'
>;

export interface VersionManifest extends BundleFacts {
  format: 'anirec-model-version';
  formatVersion: 1;
  /** e.g. `v0007-anirec-20261125T1612`: sequence, model kind, registration time (UTC, minutes). */
  id: string;
  seq: number;
  registeredAt: string;
  /** The directory the bundle was registered from, for provenance. */
  source: string;
  metrics: VersionMetrics | null;
  metricsUpdatedAt: string | null;
  status: VersionStatus;
  history: StatusChange[];
}

/** A version as the registry hands it out: the manifest plus where its bundle lives. */
export interface ModelVersion extends VersionManifest {
  dir: string;
}

/** Base class so callers (the CLI) can tell registry problems from bugs and print them plainly. */
export class RegistryError extends AnirecError {
  constructor(message: string) {
    super('registry_error', message);
    this.name = 'RegistryError';
  }
}

/** Another process holds the registry lock. */
export class RegistryLockedError extends RegistryError {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryLockedError';
  }
}
