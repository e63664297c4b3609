import type { Command } from 'commander';
import { openRegistry, type ModelVersion, type Registry } from '../../registry/index.js';
import type { CliContext } from '../context.js';
import { addStoreLocationOptions, parsePositiveInt, storeUrlOf, type StoreLocationFlags } from '../options.js';

/** `anirec models prune` keeps this many of the newest versions unless told otherwise. */
const DEFAULT_KEEP_VERSIONS = 5;

/** A one-cell summary of the metrics: the numeric ones, rounded, the ranking metrics first. */
export function metricsSummary(v: ModelVersion, width = 40): string {
  if (!v.metrics) return '-';
  const numeric = Object.entries(v.metrics).filter((e): e is [string, number] => typeof e[1] === 'number');
  if (numeric.length === 0) return '(recorded)';
  numeric.sort(([a], [b]) => Number(!/ndcg/i.test(a)) - Number(!/ndcg/i.test(b)));
  const text = numeric.map(([k, n]) => `${k}=${Number.isInteger(n) ? n : n.toFixed(4)}`).join(' ');
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** Renders rows as left-aligned columns; plain text so it survives logs and pipes. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function describe(v: ModelVersion, registry: Registry): string[] {
  const lines = [
    `id:            ${v.id}`,
    `status:        ${v.status}`,
    `kind:          ${v.kind}`,
    `trained:       ${v.createdAt} (${v.trainingSeconds.toFixed(1)} s)`,
    `registered:    ${v.registeredAt}`,
    `data snapshot: ${v.dataHash} (${v.nUsers.toLocaleString('en')} users × ${v.nItems.toLocaleString('en')} titles, ${v.nInteractions.toLocaleString('en')} list entries)`,
    `${registry.kind === 'file' ? 'directory:    ' : 'stored in:    '} ${v.dir}`,
    `source:        ${v.source}`,
    `params:        ${JSON.stringify(v.params)}`,
  ];
  if (v.metrics) {
    lines.push(`metrics:       (updated ${v.metricsUpdatedAt ?? 'unknown'})`);
    for (const [key, value] of Object.entries(v.metrics)) lines.push(`  ${key}: ${JSON.stringify(value)}`);
  } else {
    lines.push('metrics:       none recorded yet');
  }
  lines.push('history:');
  for (const c of v.history) lines.push(`  ${c.at}  ${(c.from ?? '-').padEnd(10)} → ${c.to.padEnd(10)} ${c.action.padEnd(8)} ${c.reason}`);
  return lines;
}

/** What serving processes follow, for the messages after a change of production. */
function servedVia(registry: Registry, v: ModelVersion): string {
  return registry.kind === 'file' ? `CURRENT → ${v.dir}` : 'every replica on this database switches to it (announced by NOTIFY)';
}

export function registerModels(program: Command, ctx: CliContext): void {
  const models = program
    .command('models')
    .description(
      'The model registry: list trained versions, show one, promote one to production, roll back (with a PostgreSQL --store, the registry shared in that database)',
    );
  /** Runs `use` on the registry that goes with the store (files in $ANIREC_HOME/models, or the database's), closing it after. */
  const withRegistry = async <T>(flags: StoreLocationFlags, use: (registry: Registry) => Promise<T>): Promise<T> => {
    const registry = await openRegistry(storeUrlOf(flags, ctx.paths), ctx.paths);
    try {
      return await use(registry);
    } finally {
      await registry.close();
    }
  };
  const sub = (spec: string, description: string): Command =>
    addStoreLocationOptions(models.command(spec).description(description), 'the store whose registry to use');

  sub('list', 'List model versions, newest last; * marks production (what the server serves)')
    .option('--json', 'print the versions as JSON')
    .action((flags: StoreLocationFlags & { json?: boolean }) =>
      withRegistry(flags, async (registry) => {
        const versions = await registry.list();
        if (flags.json) {
          ctx.out(JSON.stringify(versions, null, 2));
          return;
        }
        if (versions.length === 0) {
          ctx.out(`No model versions in ${registry.location}. Train one with \`anirec train\`.`);
          return;
        }
        const rows = versions.map((v) => [
          v.status === 'production' ? '*' : '',
          v.id,
          v.status,
          v.kind,
          v.createdAt.slice(0, 16).replace('T', ' '),
          v.dataHash.slice(0, 12),
          metricsSummary(v),
        ]);
        for (const line of formatTable(['', 'ID', 'STATUS', 'KIND', 'TRAINED (UTC)', 'DATA', 'METRICS'], rows)) ctx.out(line);
      }),
    );

  sub('show <id>', 'Show one version: manifest, metrics, status history (id, or its number like v0007)')
    .option('--json', 'print the version as JSON')
    .action((id: string, flags: StoreLocationFlags & { json?: boolean }) =>
      withRegistry(flags, async (registry) => {
        const v = await registry.show(id);
        if (flags.json) ctx.out(JSON.stringify(v, null, 2));
        else for (const line of describe(v, registry)) ctx.out(line);
      }),
    );

  sub('register <dir>', 'Register an existing model directory (e.g. from `anirec train --out DIR`) as a new version; it is copied in')
    .option('--promote', 'make it production now (default: only if there is no production version yet)')
    .option('--reason <text>', 'why, kept in the version history', 'registered by hand')
    .action((dir: string, flags: StoreLocationFlags & { promote?: boolean; reason: string }) =>
      withRegistry(flags, async (registry) => {
        const v = await registry.register(dir, { promote: flags.promote, reason: flags.reason });
        ctx.out(
          `registered ${v.id} as ${v.status}${v.status === 'production' ? `; ${servedVia(registry, v)}` : `; promote it with \`anirec models promote ${v.id}\``}`,
        );
      }),
    );

  sub('promote <id>', 'Make a version production (the server switches to it); the old production is archived')
    .option('--reason <text>', 'why, kept in the version history', 'promoted by hand')
    .action((id: string, flags: StoreLocationFlags & { reason: string }) =>
      withRegistry(flags, async (registry) => {
        const before = await registry.production();
        const v = await registry.promote(id, flags.reason);
        ctx.out(`${v.id} is now production${before ? ` (was ${before.id}, now archived)` : ''}; ${servedVia(registry, v)}`);
      }),
    );

  sub('rollback', 'Return production to the version that served before the current one')
    .option('--reason <text>', 'why, kept in the version history', 'rolled back by hand')
    .action((flags: StoreLocationFlags & { reason: string }) =>
      withRegistry(flags, async (registry) => {
        const { from, to } = await registry.rollback(flags.reason);
        ctx.out(`rolled back: ${to.id} is production again (${from.id} archived); ${servedVia(registry, to)}`);
      }),
    );

  sub(
    'prune',
    'Delete archived versions (record and artifacts) beyond the newest --keep; production, the version a rollback returns to, and candidates are kept',
  )
    .option(
      '--keep <n>',
      'how many of the newest versions to keep whatever their status',
      parsePositiveInt('--keep'),
      DEFAULT_KEEP_VERSIONS,
    )
    .option('--dry-run', 'only list what would be deleted')
    .action((flags: StoreLocationFlags & { keep: number; dryRun?: boolean }) =>
      withRegistry(flags, async (registry) => {
        const doomed = await registry.prune({ keep: flags.keep, dryRun: flags.dryRun === true });
        if (doomed.length === 0) {
          ctx.out(`Nothing to prune in ${registry.location}: no archived version beyond the newest ${flags.keep} to delete.`);
          return;
        }
        for (const v of doomed)
          ctx.out(`${flags.dryRun ? 'would delete' : 'deleted'} ${v.id} (${v.status}, trained ${v.createdAt.slice(0, 10)})`);
        ctx.out(
          flags.dryRun
            ? `${doomed.length} version(s) would be deleted; run without --dry-run to delete them.`
            : `${doomed.length} version(s) deleted${registry.kind === 'postgres' ? '; PostgreSQL reuses their space after autovacuum' : ''}.`,
        );
      }),
    );
}
