/**
 * Preloaded into a bot process for P6 (`node --expose-gc -r …/gc-preload.js`): on SIGUSR2 it
 * runs two full GCs, waits while V8 hands freed pages back to the OS (its memory reducer works
 * on a timer, so RSS read right after gc() is a transient peak), and writes one line
 * `BENCH_MEMORY {json}` to stderr. The bot's own code is untouched.
 */
import { readFileSync } from 'node:fs';

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
