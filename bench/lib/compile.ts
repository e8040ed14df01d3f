/**
 * Precompiles what child processes run, so no child pays for an on-the-fly compiler:
 * - acrbot itself: `npm run build` (tsc → dist/), what `node dist/index.js` runs;
 * - the echo bot and the preloads (`bench/workers/`): swc → `bench/.build/bench/…`, keeping the
 *   repository layout so `node_modules` is found by walking up, as from dist/.
 *
 * Both bots therefore start as plain precompiled CommonJS: cold start and memory compare fairly.
 * These entry points import nothing from src/ or other bench files, so each compiles alone.
 */
import { transformFileSync } from '@swc/core';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BUILD_DIR, ROOT } from './paths';

/** Files that child processes run (repository-relative). */
const ENTRY_POINTS = [
  'bench/echo-bot.ts',
  ...readdirSync(join(ROOT, 'bench', 'workers'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `bench/workers/${f}`),
];

/** Runs `npm run build`; throws with tsc's output when it fails. */
export function buildAcrbot(): void {
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
}

/** Compiles the entry points into `bench/.build/` with swc (the settings of scripts/run-ts.js). */
export function compileBench(): void {
  rmSync(join(BUILD_DIR, 'bench'), { recursive: true, force: true });
  for (const file of ENTRY_POINTS) {
    const { code } = transformFileSync(join(ROOT, file), {
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      module: { type: 'commonjs' },
      sourceMaps: false,
    });
    const out = compiled(file);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, code);
  }
}

/** Path of the compiled copy of a bench file, e.g. `compiled('bench/echo-bot.ts')`. */
export function compiled(repoRelativeTs: string): string {
  return join(BUILD_DIR, repoRelativeTs.replace(/\.ts$/, '.js'));
}
