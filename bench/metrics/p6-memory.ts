/**
 * P6 memory: RSS of the acrbot process after 1k and 10k complete grant flows (request → plan
 * card → approve → outcome card), against the echo bot's idle RSS.
 *
 * The bot is the production entry point, `node dist/index.js`, with SQLite storage on a temp
 * file, in its own process; the sandbox emulators, the client and the connector run in this
 * (the parent) process, and acrbot reaches the emulators through ACRBOT_ARM_ENDPOINT /
 * ACRBOT_GRAPH_ENDPOINT with their CA in NODE_EXTRA_CA_CERTS. So the RSS is acrbot's alone,
 * and bot and emulators each get a core.
 *
 * RSS is read after two full GCs and a settle period (workers/gc-preload.ts), for both bots.
 * Every flow is a real first grant: each of the `concurrency` slots owns a cluster and revokes
 * its grant before the next request, so the emulator's state does not grow either.
 */
import { startSandbox } from '../../src/sandbox/sandbox';
import { startAcrbotProcess } from '../lib/acrbot-process';
import { personalMessage, postActivity, USERS } from '../lib/activities';
import { addBenchClusters, revoke } from '../lib/bench-world';
import { startBot } from '../lib/child';
import { BenchConnector } from '../lib/connector';
import { FlowClient } from '../lib/flow-client';
import { gcPreloadArgs, type MemorySample, sampleMemory } from '../lib/memory-probe';
import type { Metric } from '../lib/report-types';
import { round } from '../lib/stats';

/** The echo bot's RSS once warm and idle. */
async function echoIdle(connector: BenchConnector): Promise<MemorySample> {
  const bot = await startBot('echo', { nodeArgs: gcPreloadArgs() });
  try {
    for (let i = 0; i < 300; i++) await postActivity(bot.url, personalMessage(USERS.requester, 'help', connector.url));
    return await sampleMemory(bot);
  } finally {
    await bot.stop();
  }
}

export const p6Memory: Metric = async (ctx) => {
  const checkpoints = ctx.quick ? [100, 300, 500] : [1000, 2500, 5000, 7500, 10000];
  const concurrency = 6;
  const connector = new BenchConnector();
  await connector.start();
  const sandbox = await startSandbox({ recordRequests: false });
  const clusters = addBenchClusters(sandbox, concurrency);
  const samples: { flows: number; elapsedS: number; memory: MemorySample }[] = [];
  let echo: MemorySample;
  let failed = 0;
  let firstError: string | undefined;
  try {
    echo = await echoIdle(connector);
    const acrbot = await startAcrbotProcess(sandbox, { nodeArgs: gcPreloadArgs() });
    const bot = acrbot.bot;
    try {
      const client = new FlowClient(bot.url, connector);
      let started = 0;
      const t0 = performance.now();
      for (const target of checkpoints) {
        // Each slot takes flows until the checkpoint's count is reached (bounded by `target`).
        await Promise.all(
          clusters.map(async (cluster) => {
            while (started < target) {
              started++;
              revoke(sandbox, cluster);
              try {
                await client.grantFlow(`${cluster.ref} contosoacr memory benchmark flow`);
              } catch (err) {
                failed++;
                firstError ??= (err as Error).message;
                if (failed > 20) throw new Error(`too many failed flows; first: ${firstError}`);
              }
            }
          }),
        );
        const memory = await sampleMemory(bot);
        const elapsedS = (performance.now() - t0) / 1000;
        samples.push({ flows: started, elapsedS, memory });
        ctx.progress(
          `P6 ${started} flows in ${elapsedS.toFixed(0)} s: RSS ${memory.rssMb.toFixed(1)} MB, heap ${memory.heapUsedMb.toFixed(1)} MB`,
        );
      }
    } finally {
      await acrbot.stop();
    }
  } finally {
    await sandbox.stop();
    await connector.stop();
  }
  const [first, last] = [samples[0], samples[samples.length - 1]];
  // The checkpoint nearest half-way: growth after it is the steady-state trend, free of warm-up.
  const mid = samples.reduce(
    (best, x) => (Math.abs(x.flows - last.flows / 2) < Math.abs(best.flows - last.flows / 2) ? x : best),
    first,
  );
  const growth = last.memory.rssMb - first.memory.rssMb;
  const heapGrowth = last.memory.heapUsedMb - first.memory.heapUsedMb;
  const lateGrowth = last.memory.rssMb - mid.memory.rssMb;
  const flat = heapGrowth < 5 && lateGrowth < 5;
  const budget = 1.5 * echo.rssMb + 50;
  // Flow rate between the first and last checkpoints; the settle periods are not flow time.
  const perSecond = (last.flows - first.flows) / (last.elapsedS - first.elapsedS - 1.6 * (samples.length - 1));
  const label = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));
  const series = samples
    .map((x) => `${label(x.flows)}: ${x.memory.rssMb.toFixed(1)}/${x.memory.heapUsedMb.toFixed(1)}`)
    .join(', ');
  return {
    keys: {
      p6_rss_growth_mb_1k_to_10k: round(growth, 1),
      p6_heap_growth_mb_1k_to_10k: round(heapGrowth, 1),
      p6_rss_growth_mb_5k_to_10k: round(lateGrowth, 1),
      p6_rss_mb_1k: round(first.memory.rssMb, 1),
      p6_rss_mb_10k: round(last.memory.rssMb, 1),
      p6_echo_idle_rss_mb: round(echo.rssMb, 1),
      p6_rss_budget_mb: round(budget, 1),
      p6_flows_per_s: round(perSecond, 1),
      p6_failed_flows: failed,
    },
    rows: [
      {
        id: 'P6',
        what: `RSS ${label(first.flows)} → ${label(last.flows)} flows (no leak)`,
        value: `+${growth.toFixed(1)} MB`,
        target: `flat: heap < +5 MB, RSS < +5 MB after ${label(mid.flows)}`,
        met: flat && failed === 0,
        detail: `RSS/heap after GC (MB) at ${series}; heap ${heapGrowth >= 0 ? '+' : ''}${heapGrowth.toFixed(1)} MB, RSS ${lateGrowth >= 0 ? '+' : ''}${lateGrowth.toFixed(1)} MB from ${label(mid.flows)} to ${label(last.flows)}; ${failed} failed flows${firstError ? ` (${firstError.slice(0, 120)})` : ''}; ${perSecond.toFixed(0)} flows/s with ${concurrency} in flight`,
      },
      {
        id: 'P6',
        what: `RSS after ${label(last.flows)} flows vs 1.5 × echo idle + 50 MB`,
        value: `${last.memory.rssMb.toFixed(0)} MB`,
        target: `≤ ${budget.toFixed(0)} MB`,
        met: last.memory.rssMb <= budget,
        detail: `echo idle ${echo.rssMb.toFixed(1)} MB (heap ${echo.heapUsedMb.toFixed(1)} MB)`,
      },
    ],
    notes: [
      `P6: acrbot as \`node dist/index.js\` (SQLite on a temp file) in a child process, emulators/client/connector in the parent, ${concurrency} flows in flight; RSS and heap after two full GCs and a 1.5 s settle in both bots (preloaded SIGUSR2 hook); echo idle = the precompiled echo child after 300 turns.`,
      'P6: "flat" is judged on the heap after GC (live objects: a leak shows here) and on RSS growth over the second half of the run; RSS between the first checkpoints also grows while V8 and the allocator warm up, which is not a leak (see the series).',
    ],
  };
};

/** The entry point bench/run.ts discovers. */
export const metric = p6Memory;
