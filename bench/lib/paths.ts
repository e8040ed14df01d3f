/** Where the benchmark keeps its files. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root: the nearest directory above with a `package.json`. Works both from
 * `bench/` (run through `scripts/run-ts.js`) and from the precompiled copy in
 * `bench/.build/bench/`.
 */
export const ROOT = findRoot(__dirname);

/** Scratch space: compiled JS, logs, temp databases (ignored through bench/.gitignore). */
export const BUILD_DIR = join(ROOT, 'bench', '.build');

/** Outputs. */
export const RESULTS_JSON = join(ROOT, 'bench', 'results.json');
/** Written under the git-ignored bench/out/; copy it to bench/report.md to publish a run. */
export const REPORT_MD = join(ROOT, 'bench', 'out', 'report.md');
export const DOCS_MD = join(ROOT, 'docs', 'performance.md');

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

/**
 * The benchmarks drive many flows as one requester; acrbot's per-user abuse limits (5 pending,
 * 10 requests a minute by default) would refuse them, so every benchmarked bot runs with the
 * highest values config allows. Abuse handling itself is measured by P11.
 */
export const BENCH_LIMITS_ENV = {
  ACRBOT_MAX_PENDING_PER_USER: '100000',
  ACRBOT_REQUESTS_PER_MINUTE: '100000',
  ACRBOT_READS_PER_10_MINUTES: '100000',
};
