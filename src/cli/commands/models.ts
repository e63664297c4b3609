import type { Command } from 'commander';
import { ModelRegistry, type ModelVersion } from '../../registry/index.js';
import type { CliContext } from '../context.js';


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
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

function describe(v: ModelVersion): string[] {
  const lines = [
    `id:            ${v.id}`,
    `status:        ${v.status}`,
    `kind:          ${v.kind}`,
    `trained:       ${v.createdAt} (${v.trainingSeconds.toFixed(1)} s)`,
    `registered:    ${v.registeredAt}`,
    `data snapshot: ${v.dataHash} (${v.nUsers.toLocaleString('en')} users × ${v.nItems.toLocaleString('en')} titles, ${v.nInteractions.toLocaleString('en')} list entries)`,
    `directory:     ${v.dir}`,
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

export function registerModels(program: Command, ctx: CliContext): void {
  const models = program
    .command('models')
    .description('The model registry: list trained versions, show one, promote one to production, roll back');
  const registry = () => new ModelRegistry(ctx.paths.models);

  models
    .command('list')
    .description('List model versions, newest last; * marks production (what the server serves)')
    .option('--json', 'print the versions as JSON')
    .action((flags: { json?: boolean }) => {
      const versions = registry().list();
      if (flags.json) {
        ctx.out(JSON.stringify(versions, null, 2));
        return;
      }
      if (versions.length === 0) {
        ctx.out(`No model versions in ${ctx.paths.models}. Train one with \`anirec train\`.`);
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
    });

  models
    .command('show <id>')
    .description('Show one version: manifest, metrics, status history (id, or its number like v0007)')
    .option('--json', 'print the version as JSON')
    .action((id: string, flags: { json?: boolean }) => {
      const v = registry().show(id);
      if (flags.json) ctx.out(JSON.stringify(v, null, 2));
      else for (const line of describe(v)) ctx.out(line);
    });

  models
    .command('register <dir>')
    .description('Register an existing model directory (e.g. from `anirec train --out DIR`) as a new version; it is copied in')
    .option('--promote', 'make it production now (default: only if there is no production version yet)')
    .option('--reason <text>', 'why, kept in the version history', 'registered by hand')
    .action((dir: string, flags: { promote?: boolean; reason: string }) => {
      const v = registry().register(dir, { promote: flags.promote, reason: flags.reason });
      ctx.out(`registered ${v.id} as ${v.status}${v.status === 'production' ? `; CURRENT → ${v.dir}` : `; promote it with \`anirec models promote ${v.id}\``}`);
    });

  models
    .command('promote <id>')
    .description('Make a version production (the server switches to it); the old production is archived')
    .option('--reason <text>', 'why, kept in the version history', 'promoted by hand')
    .action((id: string, flags: { reason: string }) => {
      const reg = registry();
      const before = reg.production();
      const v = reg.promote(id, flags.reason);
      ctx.out(`${v.id} is now production${before ? ` (was ${before.id}, now archived)` : ''}; CURRENT → ${v.dir}`);
    });

  models
    .command('rollback')
    .description('Return production to the version that served before the current one')
    .option('--reason <text>', 'why, kept in the version history', 'rolled back by hand')
    .action((flags: { reason: string }) => {
      const { from, to } = registry().rollback(flags.reason);
      ctx.out(`rolled back: ${to.id} is production again (${from.id} archived); CURRENT → ${to.dir}`);
    });
}
