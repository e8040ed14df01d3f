/**
 * Worker threads that run the project's TypeScript, for tests that must keep Jest's thread free
 * (a reading that may take quadratic time: jest's timeout can fire only while this thread is
 * not busy). The worker compiles each `.ts` file it requires as scripts/run-ts.js does (swc to
 * CommonJS, types not checked), with @swc/core resolved from the repository root.
 */
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

/** The repository root, given to every worker as `workerData.root`. */
export const REPO_ROOT = resolve(__dirname, '../..');

/** Worker source that makes `require()` of a `.ts` file compile it; needs `workerData.root`. */
const TS_PRELUDE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { transformSync } = require(require.resolve('@swc/core', { paths: [workerData.root] }));
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
`;

/**
 * Returns a function that starts a worker running `snippet` after the prelude (which defines
 * `parentPort` and `workerData`, `data` plus `root`) and resolves with the first message it posts,
 * or rejects with its error. Call it at the top level of a test file: the workers still running
 * after each test are terminated then.
 */
export function tsWorkers(): (snippet: string, data: Record<string, unknown>) => Promise<unknown> {
  const workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.terminate()));
  });
  return (snippet, data) => {
    const worker = new Worker(TS_PRELUDE + snippet, { eval: true, workerData: { ...data, root: REPO_ROOT } });
    workers.push(worker);
    return new Promise((done, fail) => {
      worker.once('message', done);
      worker.once('error', fail);
    });
  };
}
