/**
 * Preloaded into a bot process for P6 (`node --expose-gc -r …/gc-preload.js`): on SIGUSR2 it
 * runs two full GCs, waits while V8 hands freed pages back to the OS (its memory reducer works
 * on a timer, so RSS read right after gc() is a transient peak), and writes one line
 * `BENCH_MEMORY {json}` to stderr. The bot's own code is untouched.
 */
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
    `BENCH_MEMORY ${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external })}\n`,
  );
}

process.on('SIGUSR2', () => void report());
