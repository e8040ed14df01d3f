/**
 * Builds the Teams tab front end (`web/`) with esbuild into `build/web/` (git-ignored): one
 * minified IIFE bundle `app.js` (plain TypeScript + the two parts of @microsoft/teams-js it
 * uses) and `app.css`. Runs as part of `npm run build` (and so `npm start`); tests call
 * {@link buildWeb} before they open the tab.
 *
 *   node scripts/run-ts.js scripts/build-web.ts [--out build/web]
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(__dirname, '..');

/** Where the server looks for the bundle by default. */
export const WEB_OUT_DIR = path.join(ROOT, 'build', 'web');

/** What was built. */
export interface WebBuild {
  outDir: string;
  /** Bytes per output file. */
  sizes: Record<string, number>;
}

/** Bundles web/src/main.ts and web/styles.css into `outDir`. */
export async function buildWeb(outDir: string = WEB_OUT_DIR): Promise<WebBuild> {
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: { app: path.join(ROOT, 'web', 'src', 'main.ts') },
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome120', 'edge120', 'safari16', 'firefox120'],
    outdir: outDir,
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    absWorkingDir: ROOT,
  });
  const css = await build({
    entryPoints: { app: path.join(ROOT, 'web', 'styles.css') },
    bundle: true,
    minify: true,
    outdir: outDir,
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: ROOT,
  });
  const sizes: Record<string, number> = {};
  for (const meta of [result.metafile, css.metafile])
    for (const [file, out] of Object.entries(meta.outputs)) sizes[path.basename(file)] = out.bytes;
  return { outDir, sizes };
}

if (process.argv[1] === __filename) {
  const i = process.argv.indexOf('--out');
  buildWeb(i > 0 ? path.resolve(process.argv[i + 1]!) : undefined).then(
    ({ outDir, sizes }) =>
      console.log(
        `tab front end → ${path.relative(ROOT, outDir)}: ${Object.entries(sizes)
          .map(([f, b]) => `${f} ${(b / 1024).toFixed(1)} KiB`)
          .join(', ')}`,
      ),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
