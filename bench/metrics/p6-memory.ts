/**
 * P6 memory: RSS of acrbot after 1k and 10k complete grant flows, in a child process (see
 * workers/memory-worker.ts), against the echo bot's idle RSS (a precompiled child process
 * after a few hundred turns). Flat = RSS grows less than 10 MB from 1k to 10k flows
 * (RSS after a full GC; the heap figure is reported too because RSS lags behind frees).
 *
 * The acrbot child holds the bot *and* the sandbox emulators, client and connector, so its
 * figure overstates the bot alone; that is the budget's +50 MB.
 */
import { fork } from 'node:child_process';
import { personalMessage, postActivity, USERS } from '../lib/activities';
import { rssMb, startBot } from '../lib/child';
import { compiled } from '../lib/compile';
import { BenchConnector } from '../lib/connector';
import { BUILD_DIR } from '../lib/paths';
import type { Metric } from '../lib/report-types';
import { round } from '../lib/stats';
import type { MemoryCheckpoint, MemoryDone } from '../workers/memory-worker';

/** The echo bot's RSS once warm and idle. */
async function echoIdleRss(): Promise<number> {
  const connector = new BenchConnector();
  const serviceUrl = await connector.start();
  const bot = await startBot('echo');
  try {
    for (let i = 0; i < 300; i++) await postActivity(bot.url, personalMessage(USERS.requester, 'help', serviceUrl));
    await new Promise((r) => setTimeout(r, 500));
    return rssMb(bot.child.pid!);
  } finally {
    await bot.stop();
    await connector.stop();
  }
}

/** Runs the worker; resolves with its checkpoints. */
function runWorker(checkpoints: number[], concurrency: number, timeoutMs: number, progress: (m: string) => void): Promise<{ checkpoints: MemoryCheckpoint[]; done: MemoryDone }> {
  return new Promise((resolve, reject) => {
    const child = fork(compiled('bench/workers/memory-worker.ts'), [], {
      cwd: BUILD_DIR,
      execArgv: ['--expose-gc'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BENCH_CHECKPOINTS: checkpoints.join(','), BENCH_CONCURRENCY: String(concurrency) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const got: MemoryCheckpoint[] = [];
    let done: MemoryDone | undefined;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { if (stderr.length < 4000) stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('message', (m: MemoryCheckpoint | MemoryDone) => {
      if (m.type === 'checkpoint') {
        got.push(m);
        progress(`P6 ${m.flows} flows in ${(m.elapsedMs / 1000).toFixed(0)} s: RSS ${m.rssMb.toFixed(1)} MB, heap ${m.heapUsedMb.toFixed(1)} MB`);
      } else done = m;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0 && done && got.length === checkpoints.length) resolve({ checkpoints: got, done });
      else reject(new Error(`memory worker exited with ${code}${done?.firstError ? `; ${done.firstError}` : ''}:\n${stderr}`));
    });
  });
}

export const p6Memory: Metric = async (ctx) => {
  const checkpoints = ctx.quick ? [100, 500] : [1000, 10000];
  const concurrency = 4;
  const echoIdle = await echoIdleRss();
  const { checkpoints: cps, done } = await runWorker(checkpoints, concurrency, ctx.quick ? 120_000 : 420_000, ctx.progress);
  const [first, last] = [cps[0], cps[cps.length - 1]];
  const growth = last.rssMb - first.rssMb;
  const heapGrowth = last.heapUsedMb - first.heapUsedMb;
  const budget = 1.5 * echoIdle + 50;
  const perSecond = (last.flows - first.flows) / ((last.elapsedMs - first.elapsedMs) / 1000);
  const label = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));
  return {
    keys: {
      p6_rss_growth_mb_1k_to_10k: round(growth, 1),
      p6_heap_growth_mb_1k_to_10k: round(heapGrowth, 1),
      p6_rss_mb_1k: round(first.rssMb, 1),
      p6_rss_mb_10k: round(last.rssMb, 1),
      p6_echo_idle_rss_mb: round(echoIdle, 1),
      p6_rss_budget_mb: round(budget, 1),
      p6_flows_per_s: round(perSecond, 1),
      p6_failed_flows: done.failed,
    },
    rows: [
      { id: 'P6', what: `RSS growth ${label(first.flows)} → ${label(last.flows)} flows`, value: `${growth.toFixed(1)} MB`, target: '< 10 MB (flat)', met: growth < 10 && done.failed === 0, detail: `RSS ${first.rssMb.toFixed(1)} → ${last.rssMb.toFixed(1)} MB; heap after GC ${first.heapUsedMb.toFixed(1)} → ${last.heapUsedMb.toFixed(1)} MB; ${done.failed} failed flows; ${perSecond.toFixed(0)} flows/s at ${concurrency} in flight` },
      { id: 'P6', what: `RSS after ${label(last.flows)} flows vs 1.5 × echo idle + 50 MB`, value: `${last.rssMb.toFixed(0)} MB`, target: `≤ ${budget.toFixed(0)} MB`, met: last.rssMb <= budget, detail: `echo idle ${echoIdle.toFixed(1)} MB; acrbot's process also holds the emulators, client and connector` },
    ],
    notes: [`P6: one child process (--expose-gc) runs acrbot with SQLite storage on a temp file, its own sandbox with request logs off, ${concurrency} flows in flight; RSS and heap read after two full GCs at each checkpoint; echo idle = RSS of the precompiled echo child after 300 turns.`],
  };
};
