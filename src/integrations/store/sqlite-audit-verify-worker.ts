/**
 * Runs `audit verify` on a SQLite file on a worker thread, as the WAL checkpointer runs its
 * checkpoints (sqlite-wal-checkpointer.ts): hashing the whole log took 6.8 s for 200,000 entries
 * in review (P7 in docs/performance.md), half a minute for a year's, and on the bot's thread every
 * chat turn, tab answer, readiness probe and lease renewal would wait for it. The worker opens its own read-only
 * connection to the file, runs {@link verifyAuditFile} and exits; the verdict is the same.
 */
import { Worker } from 'node:worker_threads';
import type { AuditKey, ChainVerdict } from '../../domain/audit-chain';

/**
 * The worker's code, run with `eval` so it needs no entry file of its own (tests run the
 * TypeScript sources, the bot runs `dist/`). It loads the compiled verify module; from the
 * sources (Jest, scripts/run-ts.js) it compiles `.ts` with @swc/core first, as run-ts.js does.
 * Paths are resolved by the parent, since an eval'd worker resolves from `cwd`.
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
if (workerData.swcModule) {
  const { readFileSync } = require('node:fs');
  const { transformSync } = require(workerData.swcModule);
  require.extensions['.ts'] = (module, filename) => {
    const { code } = transformSync(readFileSync(filename, 'utf8'), {
      filename,
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      module: { type: 'commonjs' },
    });
    module._compile(code, filename);
  };
}
const { verifyAuditFile } = require(workerData.verifyModule);
const key = workerData.key ? Buffer.from(workerData.key) : undefined;
let verdict;
try {
  verdict = verifyAuditFile(workerData.path, key);
} catch (err) {
  // better-sqlite3's SqliteError reaches the parent as a bare object: sent as an Error, its message kept.
  throw err instanceof Error && err.constructor !== Error ? new Error(err.message) : err;
}
parentPort.postMessage(verdict);
`;

/**
 * The verdict of the audit log in the SQLite file at `path` (MACs checked with `key`), computed
 * on a worker thread. Rejects when the worker cannot run or the check fails to read the file.
 */
export function verifyOnWorker(path: string, key?: AuditKey): Promise<ChainVerdict> {
  const verifyModule = require.resolve('./sqlite-audit-verify');
  return new Promise<ChainVerdict>((resolve, reject) => {
    let verdict: ChainVerdict | undefined;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        path,
        key,
        verifyModule,
        swcModule: verifyModule.endsWith('.ts') ? require.resolve('@swc/core') : undefined,
      },
    });
    const failed = (cause: unknown) =>
      reject(new Error(`The audit log in ${path} could not be verified on a worker thread`, { cause }));
    worker.once('message', (message: ChainVerdict) => (verdict = message));
    worker.once('error', failed);
    // After the verdict or the error: the worker's connection is closed by then.
    worker.once('exit', (code) => {
      if (verdict) resolve(verdict);
      else failed(new Error(`the worker exited with code ${code} before giving a verdict`));
    });
  });
}
