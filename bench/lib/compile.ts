/**
 * Precompiles what child processes run, so no child pays for an on-the-fly compiler:
 * - acrbot itself: `npm run build` (tsc → dist/), what `node dist/index.js` runs;
 * - the echo bot and the memory worker: swc → `bench/.build/`, together with `src/` (the
 *   worker imports it), keeping the repository layout so relative imports still resolve and
 *   `node_modules` is found by walking up, as for dist/.
 *
 * Both bots therefore start as plain precompiled CommonJS: the cold-start and memory
 * comparisons are fair.
 */
import { transformFileSync } from '@swc/core';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { BUILD_DIR, ROOT } from './paths';

/** Runs `npm run build`; throws with tsc's output when it fails. */
export function buildAcrbot(): void {
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
}

/** Compiles `src/` and `bench/` into `bench/.build/` with swc (the same settings as scripts/run-ts.js). */
export function compileBench(): void {
  rmSync(join(BUILD_DIR, 'src'), { recursive: true, force: true });
  rmSync(join(BUILD_DIR, 'bench'), { recursive: true, force: true });
  for (const dir of ['src', 'bench']) {
    for (const file of tsFiles(join(ROOT, dir))) {
      const out = join(BUILD_DIR, relative(ROOT, file)).replace(/\.ts$/, '.js');
      const { code } = transformFileSync(file, {
        jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
        module: { type: 'commonjs' },
        sourceMaps: false,
      });
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, code);
    }
  }
  // src/views/card-templates.ts reads ../../cards relative to itself.
  const cards = join(BUILD_DIR, 'cards');
  if (!existsSync(cards)) symlinkSync(join(ROOT, 'cards'), cards, 'dir');
}

/** Path of the compiled copy of a bench file, e.g. `compiled('bench/echo-bot.ts')`. */
export function compiled(repoRelativeTs: string): string {
  return join(BUILD_DIR, repoRelativeTs.replace(/\.ts$/, '.js'));
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}
