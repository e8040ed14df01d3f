/**
 * Preloaded into a bot process for P6 (`node --expose-gc -r …/gc-preload.js`): on SIGUSR2 it
 * runs two full GCs, waits while V8 hands freed pages back to the OS (its memory reducer works
 * on a timer, so RSS read right after gc() is a transient peak), and writes one line
 * `BENCH_MEMORY {json}` to stderr. The bot's own code is untouched.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import v8 from 'node:v8';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function report(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('gc-preload needs --expose-gc');
  gc();
  await sleep(50);
  gc();
  await sleep(Number(process.env.BENCH_SETTLE_MS ?? 1500));
  const m = process.memoryUsage();
  process.stderr.write(
    `BENCH_MEMORY ${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, ...rssParts() })}\n`,
  );
  if (process.env.BENCH_SMAPS_DIR) snapshot(process.env.BENCH_SMAPS_DIR);
  if (process.env.BENCH_HEAP_SAMPLING) await heapSampling(process.env.BENCH_HEAP_SAMPLING);
}

let sampling: import('node:inspector').Session | undefined;
let profiles = 0;

/**
 * Investigation only (BENCH_HEAP_SAMPLING=<dir>): V8's sampling heap profiler between two
 * reports, keeping samples of objects that a full GC collected but not those a scavenge did,
 * i.e. where the garbage that was promoted to the old generation was allocated. Each report
 * after the first writes `<dir>/<pid>-<n>.heapprofile` (Chrome DevTools format).
 */
async function heapSampling(dir: string): Promise<void> {
  const { Session } = require('node:inspector') as typeof import('node:inspector');
  const post = (method: string, params?: object) =>
    new Promise<any>((resolve, reject) =>
      sampling!.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))),
    );
  if (sampling) {
    const { profile } = await post('HeapProfiler.stopSampling');
    const file = join(dir, `${process.pid}-${++profiles}.heapprofile`);
    writeFileSync(file, JSON.stringify(profile));
    process.stderr.write(`BENCH_HEAP_PROFILE ${file}\n`);
  } else {
    sampling = new Session();
    sampling.connect();
    await post('HeapProfiler.enable');
  }
  await post('HeapProfiler.startSampling', {
    samplingInterval: 8192,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: false,
  });
}

let snapshots = 0;

/**
 * Investigation only (BENCH_SMAPS_DIR set): after the figures above are taken, writes
 * `<dir>/<pid>-<n>.smaps` (every mapping), `<n>.json` (V8's own accounting: heap spaces, code,
 * malloced memory) and `<n>.arenas.json` (glibc arenas and which threads use them, read by gdb:
 * bench/tools/malloc-arenas.py), for bench/tools/smaps-diff.ts to compare.
 */
function snapshot(dir: string): void {
  const base = join(dir, `${process.pid}-${++snapshots}`);
  writeFileSync(`${base}.smaps`, readFileSync('/proc/self/smaps'));
  writeFileSync(
    `${base}.json`,
    JSON.stringify({
      memoryUsage: process.memoryUsage(),
      heap: v8.getHeapStatistics(),
      spaces: v8.getHeapSpaceStatistics(),
      code: v8.getHeapCodeStatistics(),
    }),
  );
  const tools = join(__dirname, '..', '..', '..', '..', 'bench', 'tools');
  const gdb = spawnSync(
    'gdb',
    [
      ...['-p', String(process.pid), '-batch', '-nx'],
      ...['-ex', `python OUT=${JSON.stringify(`${base}.arenas.json`)}`, '-x', join(tools, 'malloc-arenas.py')],
      ...['-ex', `python OUT=${JSON.stringify(`${base}.chunks.json`)}`, '-x', join(tools, 'malloc-chunks.py')],
    ],
    { encoding: 'utf8' },
  );
  if (gdb.status !== 0) process.stderr.write(`gdb failed: ${gdb.stderr.slice(-2000)}\n`);
  process.stderr.write(`BENCH_SNAPSHOT ${base}\n`);
}

/**
 * Where the resident pages are (Linux): anonymous memory (V8 heap, malloc arenas, SQLite's page
 * cache) versus file-backed and shared mappings (code, the SQLite WAL index), in bytes.
 */
function rssParts(): { anonymous?: number; fileAndShared?: number } {
  try {
    const text = readFileSync('/proc/self/smaps_rollup', 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
    const anonymous = kb('Anonymous');
    return { anonymous, fileAndShared: kb('Rss') - anonymous };
  } catch {
    return {}; // not Linux: the RSS total is still reported
  }
}

process.on('SIGUSR2', () => void report());

// Investigation only: V8 flags set at start (e.g. BENCH_V8_FLAGS="--trace-gc --trace-pretenuring";
// the output goes to stdout, see BENCH_ACRBOT_STDOUT in bench/lib/child.ts).
// Investigation only: heap snapshots at these process ages (ms), in the middle of a phase, to
// see what holds per-request objects while traffic runs (BENCH_HEAPSNAPSHOT_AT="40000,75000").
for (const at of (process.env.BENCH_HEAPSNAPSHOT_AT ?? '').split(',').filter(Boolean))
  setTimeout(() => process.stderr.write(`BENCH_HEAPSNAPSHOT ${v8.writeHeapSnapshot()}\n`), Number(at)).unref();
for (const flag of (process.env.BENCH_V8_FLAGS ?? '').split(' ').filter(Boolean)) v8.setFlagsFromString(flag);

// Investigation only: a line every 250 ms with memory and the GCs since the last line, to see
// the peaks between the after-GC samples (`<dir>/<pid>.trace`).
if (process.env.BENCH_SMAPS_DIR) {
  const { PerformanceObserver, constants } = require('node:perf_hooks') as typeof import('node:perf_hooks');
  const { appendFileSync } = require('node:fs') as typeof import('node:fs');
  const file = join(process.env.BENCH_SMAPS_DIR, `${process.pid}.trace`);
  const counts = { minor: 0, major: 0, other: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) counts.minor++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) counts.major++;
      else counts.other++;
    }
  }).observe({ entryTypes: ['gc'] });
  const t0 = Date.now();
  setInterval(() => {
    const m = process.memoryUsage();
    const mb = (b: number) => (b / 1048576).toFixed(1);
    appendFileSync(
      file,
      `${((Date.now() - t0) / 1000).toFixed(1)} rss ${mb(m.rss)} heapUsed ${mb(m.heapUsed)} heapTotal ${mb(m.heapTotal)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)} gc minor ${counts.minor} major ${counts.major} other ${counts.other}\n`,
    );
    counts.minor = counts.major = counts.other = 0;
  }, 250).unref();
}
