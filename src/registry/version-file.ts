import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryError, VERSION_STATUSES, type BundleFacts, type StatusChange, type VersionManifest, type VersionStatus } from './types.js';

export const VERSION_FILE = 'version.json';

/** Version directory names: `v0007-anirec-20261125T1612`. Anything else in models/ is not ours. */
export const VERSION_ID_PATTERN = /^v(\d{4,})-([a-z0-9-]+)-(\d{8}T\d{4})$/;

function isStatus(value: unknown): value is VersionStatus {
  return typeof value === 'string' && (VERSION_STATUSES as readonly string[]).includes(value);
}

function fixHint(file: string): string {
  return `Restore ${file} from a backup, or move its directory out of the models directory to drop that version from the registry.`;
}

/**
 * Reads and checks one version.json. A damaged file is reported with its path, the field at
 * fault and what to do, instead of surfacing later as `undefined` somewhere in the server.
 */
export function readVersionFile(dir: string, expectedId: string): VersionManifest {
  const file = join(dir, VERSION_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RegistryError(
      `Model version ${expectedId} has no readable ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). ${fixHint(file)}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new RegistryError(`${file} is not valid JSON (${(error as Error).message}). ${fixHint(file)}`);
  }
  const bad = (what: string): never => {
    throw new RegistryError(`${file} is corrupt: ${what}. ${fixHint(file)}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('it is not a JSON object');
  const v = raw as Record<string, unknown>;
  if (v.format !== 'anirec-model-version' || v.formatVersion !== 1)
    bad(`format is ${String(v.format)} v${String(v.formatVersion)}, expected anirec-model-version v1`);
  if (v.id !== expectedId) bad(`its id ${JSON.stringify(v.id)} does not match its directory name ${expectedId}`);
  for (const key of ['kind', 'dataHash', 'createdAt', 'registeredAt', 'source'] as const) {
    if (typeof v[key] !== 'string') bad(`"${key}" must be a string`);
  }
  for (const key of ['seq', 'nUsers', 'nItems', 'nInteractions', 'trainingSeconds'] as const) {
    if (typeof v[key] !== 'number' || !Number.isFinite(v[key])) bad(`"${key}" must be a number`);
  }
  if (!isStatus(v.status)) bad(`"status" is ${JSON.stringify(v.status)}, expected one of ${VERSION_STATUSES.join(', ')}`);
  if (v.metrics !== null && (typeof v.metrics !== 'object' || Array.isArray(v.metrics))) bad('"metrics" must be an object or null');
  if (!Array.isArray(v.history) || v.history.length === 0) bad('"history" must be a non-empty list of status changes');
  (v.history as unknown[]).forEach((entry, i) => {
    const e = entry as Partial<StatusChange> | null;
    if (!e || typeof e.at !== 'string' || !isStatus(e.to) || (e.from !== null && !isStatus(e.from)) || typeof e.reason !== 'string') {
      bad(`history[${i}] is not a status change {at, from, to, action, reason}`);
    }
  });
  const last = (v.history as StatusChange[])[(v.history as StatusChange[]).length - 1]!;
  if (last.to !== v.status) bad(`"status" is ${String(v.status)} but the last history entry moved it to ${last.to}`);
  return { ...(v as unknown as VersionManifest), metricsUpdatedAt: (v.metricsUpdatedAt as string | null | undefined) ?? null };
}

/** Reads the bundle.json of a trained model directory, checking it is one. */
export function readBundleManifest(dir: string): BundleFacts {
  const file = join(dir, 'bundle.json');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new RegistryError(
      `${dir} is not a trained anirec model (no readable bundle.json: ${(error as Error).message}). Train one with \`anirec train --out ${dir}\`.`,
    );
  }
  if (raw.format !== 'anirec-model-bundle' || raw.formatVersion !== 1) {
    throw new RegistryError(
      `${file} has format ${String(raw.format)} v${String(raw.formatVersion)}; the registry takes anirec-model-bundle v1. Retrain it with this anirec.`,
    );
  }
  const str = (key: string): string => {
    if (typeof raw[key] !== 'string') throw new RegistryError(`${file}: "${key}" must be a string; the bundle is damaged, retrain it.`);
    return raw[key] as string;
  };
  const num = (key: string): number => {
    if (typeof raw[key] !== 'number') throw new RegistryError(`${file}: "${key}" must be a number; the bundle is damaged, retrain it.`);
    return raw[key] as number;
  };
  return {
    kind: str('kind'),
    createdAt: str('createdAt'),
    params: raw.params ?? null,
    dataHash: str('dataHash'),
    nUsers: num('nUsers'),
    nItems: num('nItems'),
    nInteractions: num('nInteractions'),
    trainingSeconds: num('trainingSeconds'),
  };
}
