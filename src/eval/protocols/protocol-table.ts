import type { Recommender } from '../../models/types.js';
import type { MetricResult } from '../evaluate.js';
import { pairedBootstrapTest, type PairedTestResult } from '../significance.js';
import type { SplitEvalUser } from '../split.js';
import { meanWithCi } from '../stats.js';
import type { BlendTuning } from './blend-tuning.js';
import { listMetrics, maskedShare, rankAmong } from './ranking.js';

/** One protocol table: every model scored on the same test users, with paired tests against the references. */

export interface TableModel {
  name: string;
  recommender: Recommender;
}

export interface TableRow {
  name: string;
  kind: string;
  metrics: Record<string, MetricResult>;
}

export interface TableComparison {
  model: string;
  against: string;
  metric: string;
  test: PairedTestResult;
}

/** Where the numbers come from, written next to them. */
export interface TableContext {
  protocol: string;
  seed: number;
  split: string;
  /** What each held-out user is shown (fold-in) and asked to find. */
  shown: string;
  dataHash: string;
  /** Hash of what the models were trained on (cold titles' interactions removed, where there are cold titles). */
  trainDataHash: string;
  trainUsers: number;
  trainInteractions: number;
  /** The cold-title selection, when the protocol has one. */
  coldTitles?: string;
  candidates: string;
  servingNumbers: string;
}

export interface ProtocolTable {
  id: string;
  title: string;
  context: TableContext;
  k: number;
  likedThreshold: number;
  testUsers: number;
  usersEvaluated: number;
  usersSkipped: number;
  skippedBecause: string;
  /** Column keys in order; `labels` gives each one's header. */
  metricNames: string[];
  labels: Record<string, string>;
  rows: TableRow[];
  comparisons: TableComparison[];
  blend: BlendTuning;
  /** Bootstrap settings of the per-metric intervals. */
  ci: { samples: number; seed: number; confidence: number };
}

export interface TableSpec {
  id: string;
  title: string;
  context: TableContext;
  k: number;
  likedThreshold: number;
  users: readonly SplitEvalUser[];
  /** Held-out users before any was left out (default users.length). */
  testUsers?: number;
  /** Aligned with users; users with none are skipped. */
  relevant: readonly Int32Array[];
  skippedBecause: string;
  candidates: Uint8Array | null;
  /** Mixed protocol: the cold titles (for the share columns) and every liked target (for NDCG on all). */
  mixed?: { coldMask: Uint8Array; allRelevant: readonly Int32Array[] };
  /** Models every other model is compared with (paired bootstrap on per-user NDCG@k), when present. */
  references: readonly string[];
  blend: BlendTuning;
  seed: number;
}

export function buildTable(models: readonly TableModel[], spec: TableSpec): ProtocolTable {
  const { k } = spec;
  const kept = spec.users.map((_, u) => u).filter((u) => spec.relevant[u]!.length > 0);
  const users = kept.map((u) => spec.users[u]!);
  const relevant = kept.map((u) => spec.relevant[u]!);
  const ci = { samples: 1000, seed: spec.seed, confidence: 0.95 };
  const summarise = (perUser: Float64Array): MetricResult => ({ ...meanWithCi(perUser, ci), perUser });
  const labels: Record<string, string> = { [`ndcg@${k}`]: `ndcg@${k}`, [`recall@${k}`]: `recall@${k}`, [`hit@${k}`]: `hit@${k}` };
  if (spec.mixed) {
    labels[`ndcgAll@${k}`] = `ndcg@${k} all liked`;
    labels[`coldShare@${k}`] = `cold share@${k}`;
    labels.coldShareOfTargets = 'cold share of targets';
  }
  const targetShare = spec.mixed
    ? Float64Array.from(kept, (u) => {
        const all = spec.mixed!.allRelevant[u]!;
        let n = 0;
        for (const item of all) if (spec.mixed!.coldMask[item] === 1) n++;
        return all.length > 0 ? n / all.length : Number.NaN;
      })
    : null;
  const rows: TableRow[] = models.map((model) => {
    const lists = rankAmong(model.recommender, users, spec.candidates, k);
    const m = listMetrics(lists, relevant, k);
    const metrics: Record<string, MetricResult> = {
      [`ndcg@${k}`]: summarise(m.ndcg),
      [`recall@${k}`]: summarise(m.recall),
      [`hit@${k}`]: summarise(m.hit),
    };
    if (spec.mixed) {
      const all = listMetrics(
        lists,
        kept.map((u) => spec.mixed!.allRelevant[u]!),
        k,
      );
      metrics[`ndcgAll@${k}`] = summarise(all.ndcg);
      metrics[`coldShare@${k}`] = summarise(maskedShare(lists, spec.mixed.coldMask));
      metrics.coldShareOfTargets = summarise(targetShare!);
    }
    return { name: model.name, kind: model.recommender.kind, metrics };
  });
  const metric = `ndcg@${k}`;
  const comparisons: TableComparison[] = [];
  for (const reference of spec.references) {
    const ref = rows.find((r) => r.name === reference);
    if (ref === undefined) continue;
    for (const row of rows) {
      if (row === ref) continue;
      comparisons.push({
        model: row.name,
        against: ref.name,
        metric,
        test: pairedBootstrapTest(row.metrics[metric]!.perUser, ref.metrics[metric]!.perUser, { seed: spec.seed }),
      });
    }
  }
  return {
    id: spec.id,
    title: spec.title,
    context: spec.context,
    k,
    likedThreshold: spec.likedThreshold,
    testUsers: spec.testUsers ?? spec.users.length,
    usersEvaluated: users.length,
    usersSkipped: (spec.testUsers ?? spec.users.length) - users.length,
    skippedBecause: spec.skippedBecause,
    metricNames: Object.keys(labels),
    labels,
    rows,
    comparisons,
    blend: spec.blend,
    ci,
  };
}
