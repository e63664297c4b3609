// Offline validators for the deployment files: JSON schemas (ajv) for the Kubernetes kinds we
// use, a 5-field cron check, and a PromQL parse (Prometheus' own lezer grammar) that also
// extracts the metric names each query reads. No cluster or network is needed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SCHEMAS = fileURLToPath(new URL('./schemas/', import.meta.url));

/** The metrics the API exports on /metrics (issue 6); dashboards and alerts may use only these. */
export const EXPORTED_METRICS = {
  anirec_http_request_duration_seconds: 'histogram',
  anirec_http_errors_total: 'counter',
  anirec_model_info: 'gauge',
  anirec_model_loaded_timestamp_seconds: 'gauge',
  anirec_prediction_mae: 'gauge',
  anirec_drift_flag: 'gauge',
} as const;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

const CRON_FIELDS: Array<[string, number, number]> = [
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day of month', 1, 31],
  ['month', 1, 12],
  ['day of week', 0, 7],
];

/** Why a cron expression is not a valid numeric 5-field schedule, or null if it is. */
export function cronProblem(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return `has ${fields.length} fields, expected 5 (minute hour day-of-month month day-of-week)`;
  for (let i = 0; i < 5; i++) {
    const [name, min, max] = CRON_FIELDS[i]!;
    for (const item of fields[i]!.split(',')) {
      const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
      if (!m) return `${name} "${item}" is not *, N, N-M or a /step of those`;
      const [, , lo, hi, step] = m;
      if (step !== undefined && Number(step) < 1) return `${name} step must be at least 1`;
      for (const n of [lo, hi]) {
        if (n !== undefined && (Number(n) < min || Number(n) > max)) return `${name} ${n} is outside ${min}-${max}`;
      }
      if (lo !== undefined && hi !== undefined && Number(lo) > Number(hi)) return `${name} range ${lo}-${hi} is backwards`;
    }
  }
  return null;
}

/** Schema validators by `apiVersion/kind`, compiled from test/deploy/schemas/. */
export function loadValidators(): Map<string, ValidateFunction> {
  // strict catches unknown keywords/formats in our own schemas; strictTypes/strictRequired are off because the
  // compact allOf/oneOf branches deliberately leave `type` to the schema they refine.
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
  ajv.addFormat('cron5', { type: 'string', validate: (s: string) => cronProblem(s) === null });
  const validators = new Map<string, ValidateFunction>();
  const files = readdirSync(SCHEMAS).filter((f) => f.endsWith('.schema.json'));
  type KindSchema = { $id: string; properties?: { apiVersion?: { const?: string }; kind?: { const?: string } } };
  const schemas = files.map((f) => JSON.parse(readFileSync(join(SCHEMAS, f), 'utf8')) as KindSchema);
  for (const schema of schemas) ajv.addSchema(schema);
  // Each kind schema pins apiVersion and kind with `const`; that pair is its lookup key.
  for (const schema of schemas) {
    const apiVersion = schema.properties?.apiVersion?.const;
    const kind = schema.properties?.kind?.const;
    if (apiVersion && kind) validators.set(`${apiVersion}/${kind}`, ajv.getSchema(schema.$id)!);
    // Files that are not Kubernetes objects (the compose file) are looked up by their schema's $id.
    else if (schema.$id !== 'k8s-common') validators.set(schema.$id, ajv.getSchema(schema.$id)!);
  }
  return validators;
}

function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
}

/** Validation problems of one object: an unknown kind is itself a problem (nothing unchecked slips through). */
export function validateObject(validators: Map<string, ValidateFunction>, obj: unknown): string[] {
  if (typeof obj !== 'object' || obj === null) return ['document is not a mapping'];
  const { apiVersion, kind } = obj as Partial<K8sObject>;
  const validate = validators.get(`${apiVersion}/${kind}`);
  if (!validate) return [`no schema for ${apiVersion}/${kind}; add one under test/deploy/schemas/ or fix apiVersion/kind`];
  return validate(obj) ? [] : describeErrors(validate.errors);
}

/** Problems of a document checked against a non-Kubernetes schema, by its $id ("compose"). */
export function validateWith(validators: Map<string, ValidateFunction>, id: string, value: unknown): string[] {
  const validate = validators.get(id);
  if (!validate) return [`no schema with $id "${id}" under test/deploy/schemas/`];
  return validate(value) ? [] : describeErrors(validate.errors);
}

/** Every object of every manifest in a folder, with its file (sorted by file name). */
export function loadManifests(dir: string): Array<{ file: string; obj: K8sObject }> {
  const out: Array<{ file: string; obj: K8sObject }> = [];
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    for (const obj of parseYamlFile(join(dir, file))) out.push({ file, obj: obj as K8sObject });
  }
  return out;
}

/**
 * Every YAML document of a file, failing on any YAML syntax error or warning. `merge` resolves
 * `<<: *anchor` merge keys, as Docker Compose does (Kubernetes manifests do not use them).
 */
export function parseYamlFile(path: string, { merge = false } = {}): unknown[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'), { prettyErrors: true, merge });
  if (!Array.isArray(docs)) return [];
  const out: unknown[] = [];
  for (const doc of docs) {
    const problems = [...doc.errors, ...doc.warnings];
    if (problems.length > 0) throw new Error(`${path}: ${problems.map((p) => p.message).join('; ')}`);
    const value = doc.toJS() as unknown;
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

export interface PromqlAnalysis {
  errors: string[];
  metrics: string[];
}

/**
 * Parses a PromQL expression with the grammar Prometheus' own UI uses. Returns syntax errors
 * and the metric names read by vector selectors (histogram suffixes folded to the family name).
 */
export function analysePromql(expr: string): PromqlAnalysis {
  const tree = promqlParser.parse(expr);
  const errors: string[] = [];
  const metrics = new Set<string>();
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`syntax error at offset ${node.from}: "${expr.slice(Math.max(0, node.from - 10), node.to + 10)}"`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.add(expr.slice(node.from, node.to));
    },
  });
  return { errors, metrics: [...metrics] };
}

/** The exported metric family a series name belongs to, or null if the API exports no such metric. */
export function metricFamily(name: string): string | null {
  if (name in EXPORTED_METRICS) return name;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (m && EXPORTED_METRICS[m[1] as keyof typeof EXPORTED_METRICS] === 'histogram') return m[1]!;
  return null;
}
