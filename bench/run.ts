/**
 * `npm run bench [-- --quick] [-- --only p1,p4] [-- --no-build]`: measures acrbot against a bare
 * echo bot on the same stack, prints a table, and writes bench/results.json and
 * bench/report.md. Everything listens on 127.0.0.1; every loop is bounded.
 *
 * ## Adding a metric (e.g. P9, P10): one file, nothing else to edit
 *
 * Put `bench/metrics/p<N>-<what>.ts` (or `<id>-<what>.ts`, e.g. `tab-first-paint.ts`) next to the
 * others and export `metric`:
 *
 * ```ts
 * import type { Metric } from '../lib/report-types';
 * export const metric: Metric = async (ctx) => ({
 *   keys: { p9_scaleout_ratio: 1.8 },   // merged into bench/results.json (null = not measurable)
 *   rows: [{ id: 'P9', what: '…', value: '1.80×', target: '≥ 1.7×', met: true, detail: 'runs 1.7–1.9×' }],
 *   notes: ['P9: how it was measured'],
 * });
 * ```
 *
 * This runner finds every such file, runs them in the order of N (`--only p9,tab` selects by the
 * prefix before the first `-`), and one failing metric shows as a missed row without hiding the others. Keep
 * ratios against the echo bot measured in the same run where a target is relative, report
 * medians with the min–max of runs, use `ctx.quick` for a smoke run, and stop every child you
 * start. `bench/lib/` has the shared pieces (child bots, connector, load generator, stats).
 *
 * `--no-build` skips `npm run build` (dist/ as it is). `BENCH_ACRBOT_ENTRY=<path>/index.js`
 * runs the process-based metrics (P1, P2, P5, P6, P8) against another build of acrbot, e.g. a
 * patched copy of dist/, to A/B a change.
 *
 * Metrics run one after another (never in parallel: on 2 cores they would measure each other).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildAcrbot, compileBench } from './lib/compile';
import { consoleTable, load1, machine, markdownReport } from './lib/report';
import type { Metric, MetricContext, Row } from './lib/report-types';
import { BUILD_DIR, REPORT_MD, RESULTS_JSON } from './lib/paths';

const METRICS_DIR = join(__dirname, 'metrics');

/**
 * Every `bench/metrics/<id>-*.ts` file, by id (the name up to the first `-`: `p1`, `p10`, `tab`):
 * the numbered ones in the order of N, then the others by name.
 */
function discoverMetrics(): Array<[string, Metric]> {
  const order = (id: string) => (/^p\d+$/.test(id) ? Number(id.slice(1)) : Number.MAX_SAFE_INTEGER);
  return readdirSync(METRICS_DIR)
    .filter((file) => /^[a-z0-9]+-.*\.ts$/.test(file))
    .map((file) => ({ file, id: file.slice(0, file.indexOf('-')) }))
    .sort((a, b) => order(a.id) - order(b.id) || a.file.localeCompare(b.file))
    .map(({ file, id }) => {
      const mod = require(join(METRICS_DIR, file)) as { metric?: Metric };
      if (typeof mod.metric !== 'function') throw new Error(`bench/metrics/${file} must export \`metric: Metric\``);
      return [id, mod.metric] as [string, Metric];
    });
}

function parseArgs(argv: string[]): { quick: boolean; only?: string[]; build: boolean } {
  const onlyArg = argv.find((a) => a.startsWith('--only'));
  const only = onlyArg
    ? (onlyArg.includes('=') ? onlyArg.split('=')[1] : argv[argv.indexOf(onlyArg) + 1])
        .split(',')
        .map((s) => s.trim().toLowerCase())
    : undefined;
  return { quick: argv.includes('--quick'), only, build: !argv.includes('--no-build') };
}

async function main(): Promise<void> {
  // restify touches a deprecated Node API on load; the warning would only clutter the table.
  process.noDeprecation = true;
  // A metric's stray promise must not end the whole run (the metric's own failure is reported as a row).
  process.on('unhandledRejection', (err) => process.stderr.write(`[bench] unhandled rejection: ${String(err)}\n`));
  const args = parseArgs(process.argv.slice(2));
  const started = new Date();
  const loadStart = load1();
  const t0 = performance.now();
  const ctx: MetricContext = {
    quick: args.quick,
    progress: (m) => process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(0)}s] ${m}\n`),
  };
  // Logs of the in-process bots (warnings only) from earlier runs.
  mkdirSync(BUILD_DIR, { recursive: true });
  for (const f of readdirSync(BUILD_DIR)) if (/^acrbot-\d+\.log$/.test(f)) rmSync(join(BUILD_DIR, f));
  if (args.build) {
    ctx.progress('building acrbot (npm run build)');
    buildAcrbot();
  }
  // Always: the echo bot and preloads are precompiled from the current bench sources (swc, < 1 s).
  compileBench();
  const selected = discoverMetrics().filter(([id]) => !args.only || args.only.includes(id));
  const keys: Record<string, number | null> = {};
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const [id, metric] of selected) {
    ctx.progress(`${id.toUpperCase()} …`);
    const m0 = performance.now();
    try {
      const result = await metric(ctx);
      Object.assign(keys, result.keys);
      rows.push(...result.rows);
      notes.push(...result.notes);
    } catch (err) {
      // One broken metric must not hide the others; it shows up as a missed row.
      ctx.progress(`${id.toUpperCase()} failed: ${(err as Error).stack ?? err}`);
      rows.push({
        id: id.toUpperCase(),
        what: 'metric failed to run',
        value: '—',
        target: '',
        met: false,
        detail: String((err as Error).message).slice(0, 300),
      });
    }
    ctx.progress(`${id.toUpperCase()} done in ${((performance.now() - m0) / 1000).toFixed(1)} s`);
  }
  const durationS = (performance.now() - t0) / 1000;
  const m = machine(loadStart);
  const results = {
    ...keys,
    machine: m,
    runs: {
      mode: args.quick ? 'quick' : 'full',
      metrics: selected.map(([id]) => id),
      started_at: started.toISOString(),
      duration_s: Math.round(durationS),
    },
  };
  writeFileSync(RESULTS_JSON, `${JSON.stringify(results, null, 2)}\n`);
  mkdirSync(dirname(REPORT_MD), { recursive: true });
  writeFileSync(
    REPORT_MD,
    markdownReport({
      rows,
      notes,
      machine: m,
      mode: args.quick ? 'quick' : 'full',
      startedAt: started.toISOString(),
      durationS,
    }),
  );
  process.stdout.write(
    `\n${consoleTable(rows)}\n\nwrote ${RESULTS_JSON} and ${REPORT_MD} (${durationS.toFixed(0)} s)\n`,
  );
  // Children are stopped by each metric; exit explicitly in case a library left a timer behind.
  process.exit(0);
}

void main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
