/**
 * Child process of P6: runs acrbot (SQLite storage on a temp file, the production setup) with
 * its own sandbox (request logs off: the emulators' logs are not acrbot's memory), drives
 * complete grant flows (request → plan card → approve → outcome card) and reports
 * `process.memoryUsage()` after a full GC at each checkpoint over IPC.
 *
 * Runs precompiled (`node --expose-gc bench/.build/bench/workers/memory-worker.js`), so no
 * compiler sits in the measured heap. Every flow is a real first grant: each of the
 * `concurrency` slots owns one cluster and revokes its grant before the next request, so the
 * emulator's state stays the same size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';
import { SANDBOX_SUBSCRIPTIONS } from '../../src/sandbox/fixtures';
import { startSandbox } from '../../src/sandbox/sandbox';
import { AcrbotDriver } from '../lib/acrbot-driver';
import { addBenchClusters, revoke } from '../lib/bench-world';

/** A checkpoint report. */
export interface MemoryCheckpoint {
  type: 'checkpoint';
  flows: number;
  elapsedMs: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
}

/** Final report. */
export interface MemoryDone {
  type: 'done';
  flows: number;
  failed: number;
  firstError?: string;
}

const mb = (bytes: number) => bytes / 1024 / 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Full GCs, then idle time: V8 gives freed pages back to the OS lazily (its memory reducer
 * runs on a timer), so RSS read right after gc() shows a transient peak, not the footprint.
 */
async function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  await sleep(50);
  gc();
  await sleep(Number(process.env.BENCH_SETTLE_MS ?? 1500));
}

async function main(): Promise<void> {
  const checkpoints = (process.env.BENCH_CHECKPOINTS ?? '1000,10000').split(',').map(Number);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
  const dir = mkdtempSync(join(tmpdir(), 'acrbot-bench-mem-'));
  const sandbox = await startSandbox({ recordRequests: false });
  const clusters = addBenchClusters(sandbox, concurrency);
  const d = await AcrbotDriver.start({ sandbox, env: { ACRBOT_SUBSCRIPTION_IDS: SANDBOX_SUBSCRIPTIONS.platform, ACRBOT_STORAGE: process.env.BENCH_STORAGE === 'memory' ? 'memory' : `sqlite:${join(dir, 'acrbot.db')}` } });
  let done = 0;
  let failed = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  try {
    for (const target of checkpoints) {
      // Each slot takes flows until the checkpoint's count is reached; bounded by `target`.
      await Promise.all(clusters.map(async (cluster) => {
        while (done + failed < target) {
          done++;
          revoke(sandbox, cluster);
          try {
            await d.grantFlow(`${cluster.ref} contosoacr memory benchmark flow`);
          } catch (err) {
            done--;
            failed++;
            firstError ??= (err as Error).message;
            if (failed > 20) throw new Error(`too many failed flows; first: ${firstError}`);
          }
        }
      }));
      await d.drain();
      await settle();
      const m = process.memoryUsage();
      const report: MemoryCheckpoint = { type: 'checkpoint', flows: done, elapsedMs: performance.now() - t0, rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external), arrayBuffersMb: mb(m.arrayBuffers) };
      if (process.env.BENCH_DEBUG_SPACES) process.stderr.write(`${JSON.stringify(getHeapSpaceStatistics().map((x) => [x.space_name, Math.round(mb(x.space_size)), Math.round(mb(x.space_used_size))]))}\n`);
      process.send!(report);
      if (process.env.BENCH_PAUSE_MS) await sleep(Number(process.env.BENCH_PAUSE_MS));
    }
  } finally {
    process.send!({ type: 'done', flows: done, failed, firstError } satisfies MemoryDone);
    await d.stop();
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
