/**
 * The registry's rules, shared by both implementations (files in `models/`, rows in
 * PostgreSQL): version ids, which version is production, where a rollback goes, how a status
 * change is recorded. Each implementation reads every version, applies these to the list it read
 * under its own writer lock, and writes the changed versions back, so the two behave the same.
 */
import {
  RegistryError,
  type BundleFacts,
  type HistoryAction,
  type ModelVersion,
  type StatusChange,
  type VersionManifest,
  type VersionStatus,
} from './types.js';

function slug(kind: string): string {
  return (
    kind
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'model'
  );
}

function idTime(date: Date): string {
  // 2026-11-25T16:12:34.567Z → 20261125T1612
  return date.toISOString().slice(0, 16).replace(/[-:]/g, '');
}

export function lastEntry(v: VersionManifest, test: (c: StatusChange) => boolean): StatusChange | undefined {
  for (let i = v.history.length - 1; i >= 0; i--) if (test(v.history[i]!)) return v.history[i];
  return undefined;
}

/**
 * Of several versions marked production (only possible after a promotion was interrupted
 * between its writes), the one promoted last is the real one.
 */
export function pickProduction(versions: ModelVersion[]): ModelVersion | null {
  let best: ModelVersion | null = null;
  let bestAt = '';
  for (const v of versions) {
    if (v.status !== 'production') continue;
    const at = lastEntry(v, (c) => c.to === 'production')?.at ?? '';
    if (!best || at > bestAt || (at === bestAt && v.seq > best.seq)) [best, bestAt] = [v, at];
  }
  return best;
}

/**
 * Timestamps for history entries that strictly increase across the whole registry, even for
 * several changes in one millisecond: rollback and recovery order events by these times.
 */
export function stamper(versions: ModelVersion[], clock: () => Date): () => string {
  let last = 0;
  for (const v of versions) for (const c of v.history) last = Math.max(last, Date.parse(c.at) || 0);
  return () => {
    last = Math.max(clock().getTime(), last + 1);
    return new Date(last).toISOString();
  };
}

/** One version by id (`v0007-anirec-20261125T1612`) or sequence number (`v0007`, `7`); `where` names the registry in the error. */
export function resolveRef(ref: string, versions: ModelVersion[], where: string): ModelVersion {
  const exact = versions.find((v) => v.id === ref);
  if (exact) return exact;
  const seq = /^v?(\d+)$/.exec(ref.trim());
  const bySeq = seq ? versions.find((v) => v.seq === Number(seq[1])) : undefined;
  if (bySeq) return bySeq;
  const known =
    versions.length > 0
      ? `Known versions: ${versions.map((v) => v.id).join(', ')}.`
      : 'The registry is empty; train a model with `anirec train`.';
  throw new RegistryError(`No model version "${ref}" in ${where}. ${known}`);
}

export function transitioned(v: ModelVersion, to: VersionStatus, action: HistoryAction, reason: string, stamp: () => string): ModelVersion {
  return { ...v, status: to, history: [...v.history, { at: stamp(), from: v.status, to, action, reason }] };
}

/**
 * The manifest of a new version: the next sequence number, an id from it, and its first history
 * entries. It becomes production when asked to, or when nothing serves yet (the first model must
 * serve something).
 */
export function newManifest(
  versions: ModelVersion[],
  bundle: BundleFacts,
  options: { promote?: boolean; reason?: string; source: string },
  stamp: () => string,
): { manifest: VersionManifest; previous: ModelVersion | null } {
  const registeredAt = stamp();
  const seq = versions.reduce((max, v) => Math.max(max, v.seq), 0) + 1;
  const id = `v${String(seq).padStart(4, '0')}-${slug(bundle.kind)}-${idTime(new Date(registeredAt))}`;
  const previous = pickProduction(versions);
  const becomesProduction = options.promote === true || previous === null;
  const history: StatusChange[] = [
    { at: registeredAt, from: null, to: 'candidate', action: 'register', reason: options.reason ?? 'registered after training' },
  ];
  if (becomesProduction) {
    const why = options.promote ? 'promoted at registration' : 'first model in the registry';
    history.push({ at: stamp(), from: 'candidate', to: 'production', action: 'promote', reason: why });
  }
  const manifest: VersionManifest = {
    format: 'anirec-model-version',
    formatVersion: 1,
    id,
    seq,
    kind: bundle.kind,
    params: bundle.params,
    dataHash: bundle.dataHash,
    nUsers: bundle.nUsers,
    nItems: bundle.nItems,
    nInteractions: bundle.nInteractions,
    trainingSeconds: bundle.trainingSeconds,
    createdAt: bundle.createdAt,
    registeredAt,
    source: options.source,
    metrics: null,
    metricsUpdatedAt: null,
    status: becomesProduction ? 'production' : 'candidate',
    history,
  };
  return { manifest, previous };
}

/**
 * Where a rollback from `current` goes: the version that left production last, skipping versions
 * that were themselves rolled back, so repeated rollbacks walk further back instead of flip-flopping.
 */
export function rollbackTarget(versions: ModelVersion[], current: ModelVersion): ModelVersion {
  let target: ModelVersion | null = null;
  let targetExit = '';
  for (const v of versions) {
    if (v.id === current.id || v.status !== 'archived') continue;
    const exit = lastEntry(v, (c) => c.from === 'production');
    if (!exit || exit.action === 'rollback') continue;
    if (!target || exit.at > targetExit) [target, targetExit] = [v, exit.at];
  }
  if (!target) {
    throw new RegistryError(
      `Cannot roll back: ${current.id} has no earlier production version to return to (it is the first one, or the earlier ones were rolled back already). ` +
        'To serve a specific version, run `anirec models promote <id>` (see `anirec models list`).',
    );
  }
  return target;
}

export function noProductionToRollBack(where: string): RegistryError {
  return new RegistryError(
    `There is no production model in ${where}, so there is nothing to roll back. Promote one with \`anirec models promote <id>\`.`,
  );
}

export function refuseArchiveProduction(v: ModelVersion): RegistryError {
  return new RegistryError(`${v.id} is the production version; promote another version or roll back before archiving it.`);
}

export function alreadyProduction(v: ModelVersion): RegistryError {
  return new RegistryError(`${v.id} is already the production version; nothing to promote.`);
}

/** Metrics must be a plain object; round-tripped now so a non-JSON value (NaN, a cycle) fails here, not on the next read. */
export function cleanMetrics(metrics: unknown): Record<string, unknown> {
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) {
    throw new RegistryError('recordMetrics: metrics must be a plain object of named values, e.g. {"ndcg@20": 0.31}.');
  }
  return JSON.parse(JSON.stringify(metrics)) as Record<string, unknown>;
}

/**
 * The versions `prune` deletes, oldest first: archived versions outside the newest `keep` (by
 * sequence number), never the production version and never the one a rollback from it would
 * return to, so `anirec models rollback` works after any prune. Candidates wait for a decision
 * and are never pruned. `keep` ≥ 1 also keeps the highest sequence number, so a later
 * registration never reuses a pruned version's number.
 */
export function pruneSelection(versions: ModelVersion[], keep: number): ModelVersion[] {
  if (!Number.isInteger(keep) || keep < 1) {
    throw new RegistryError(`prune: keep must be a whole number of versions ≥ 1 (got ${keep}); the newest versions are always kept.`);
  }
  const production = pickProduction(versions);
  const protectedIds = new Set(
    [...versions]
      .sort((a, b) => b.seq - a.seq)
      .slice(0, keep)
      .map((v) => v.id),
  );
  if (production) {
    protectedIds.add(production.id);
    try {
      protectedIds.add(rollbackTarget(versions, production).id);
    } catch {
      // Nothing to roll back to: nothing more to protect.
    }
  }
  return versions.filter((v) => v.status === 'archived' && !protectedIds.has(v.id)).sort((a, b) => a.seq - b.seq);
}
