/**
 * CPU profile of acrbot during a burst of simultaneous grant flows (what P8 measures), for
 * docs/performance.md:
 *
 *   npm run build && node scripts/run-ts.js bench/tools/profile-flows.ts [flows=200] [dir=/tmp/acrbot-prof]
 *   node scripts/run-ts.js bench/tools/cpuprofile-summary.ts <dir>/<pid>-1.cpuprofile 25
 *
 * The bot runs as in P8 (`node dist/index.js`, SQLite, emulators in this process) with the
 * profile preload: the profiler runs only over the burst (after a warm-up), not start-up.
 *
 * BENCH_PROFILE_TABLES=1 runs the bot on Azure Tables instead (Azurite from node_modules, as P9
 * starts it) and also counts the bot's HTTP requests to Azurite over the burst (per flow, by kind;
 * `bench/workers/http-count-preload.ts`). BENCH_PROFILE_OFF=1 leaves the profiler out (bot CPU per
 * flow without the profiler's own cost, for A/B runs; with BENCH_ACRBOT_ENTRY for the other build).
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox } from '../../src/sandbox/sandbox';
import { type Azurite, startAzurite } from '../../test/helpers/azurite';
import { startAcrbotProcess } from '../lib/acrbot-process';
import { addBenchClusters, revoke } from '../lib/bench-world';
import { cpuMs } from '../lib/child';
import { compileBench, compiled } from '../lib/compile';
import { BenchConnector } from '../lib/connector';
import { FlowClient } from '../lib/flow-client';
import { readRequestCounts, totalRequests } from '../lib/request-counts';

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 200);
  const dir = process.argv[3] ?? '/tmp/acrbot-prof';
  mkdirSync(dir, { recursive: true });
  compileBench();
  const connector = new BenchConnector();
  await connector.start();
  const sandbox = await startSandbox({ recordRequests: false });
  const clusters = addBenchClusters(sandbox, count, 'aks-prof');
  const onTables = process.env.BENCH_PROFILE_TABLES === '1';
  const profiling = process.env.BENCH_PROFILE_OFF !== '1';
  const azurite: Azurite | undefined = onTables ? await startAzurite() : undefined;
  const acrbot = await startAcrbotProcess(sandbox, {
    // BENCH_EXTRA_PRELOAD: one more `-r` module in the bot (e.g. a statement counter), for one-off questions.
    nodeArgs: [
      ...(profiling ? ['-r', compiled('bench/workers/profile-preload.ts')] : []),
      ...(azurite ? ['-r', compiled('bench/workers/http-count-preload.ts')] : []),
      ...(process.env.BENCH_EXTRA_PRELOAD ? ['-r', process.env.BENCH_EXTRA_PRELOAD] : []),
      // BENCH_NODE_FLAGS: node/V8 flags for the bot, space-separated (e.g. GC flags, for A/B runs).
      ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
    ],
    env: {
      BENCH_PROFILE_DIR: dir,
      ...(azurite && {
        ACRBOT_STORAGE: `tables:${azurite.connectionString}`,
        ACRBOT_TABLE_PREFIX: azurite.freshPrefix(),
        BENCH_COUNT_HOST: new URL(azurite.tableEndpoint).host,
        // BENCH_COUNT_DETAIL=1: entity requests by table and partition kind.
        BENCH_COUNT_DETAIL: process.env.BENCH_COUNT_DETAIL ?? '',
      }),
    },
  });
  const pid = acrbot.bot.child.pid!;
  const client = new FlowClient(acrbot.bot.url, connector);
  try {
    for (let i = 0; i < 20; i++) {
      revoke(sandbox, clusters[i]);
      await client.grantFlow(`${clusters[i].ref} contosoacr profile warm-up`);
    }
    for (const c of clusters.slice(0, 20)) revoke(sandbox, c);
    // BENCH_WARM_BURSTS=<n>: n whole bursts first, so the profile shows the steady state (as P8
    // measures it) rather than V8 still optimising.
    for (let b = 0; b < Number(process.env.BENCH_WARM_BURSTS ?? 1); b++) {
      await Promise.all(clusters.map((c) => client.grantFlow(`${c.ref} contosoacr profile warm burst`)));
      for (const c of clusters) revoke(sandbox, c);
    }
    const ops = new Map<string, number>();
    connector.onCall = (call) => {
      const key = `${call.op} ${call.type}`;
      ops.set(key, (ops.get(key) ?? 0) + 1);
    };
    const before = new Set(readdirSync(dir));
    if (profiling || azurite) process.kill(pid, 'SIGUSR2');
    const cpu0 = cpuMs(pid);
    const harness0 = process.cpuUsage();
    const t0 = performance.now();
    // BENCH_PROFILE_CONCURRENCY=<n>: at most n flows at a time (1: one after another, no contention).
    const results = await allSettledLimited(
      clusters.map((c) => async () => {
        const start = performance.now();
        await client.grantFlow(`${c.ref} contosoacr profile burst`);
        return performance.now() - start;
      }),
      Number(process.env.BENCH_PROFILE_CONCURRENCY ?? count),
    );
    const wall = performance.now() - t0;
    const cpu = cpuMs(pid) - cpu0;
    const harness = process.cpuUsage(harness0);
    if (profiling || azurite) process.kill(pid, 'SIGUSR2');
    const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])).sort((a, b) => a - b);
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    const p = (q: number) => ok[Math.min(ok.length - 1, Math.floor(q * ok.length))]?.toFixed(0);
    process.stdout.write(
      `${ok.length}/${count} ok in ${wall.toFixed(0)} ms; flow p50 ${p(0.5)} ms p99 ${p(0.99)} ms; bot CPU ${(cpu / count).toFixed(1)} ms/flow; harness ${((harness.user + harness.system) / 1000 / count).toFixed(1)} ms/flow\n`,
    );
    process.stdout.write(
      `connector calls per flow: ${[...ops].map(([k, v]) => `${k} ${(v / count).toFixed(2)}`).join(', ')}\n`,
    );
    for (const f of failed.slice(0, 3)) process.stdout.write(`failed: ${String(f.reason).slice(0, 200)}\n`);
    if (azurite) {
      const counts = await readRequestCounts(dir, pid, before);
      process.stdout.write(
        `Tables requests per flow: ${(totalRequests(Object.entries(counts)) / count).toFixed(2)} (${Object.entries(
          counts,
        )
          .map(([k, v]) => `${k} ${(v / count).toFixed(2)}`)
          .join(', ')})\n`,
      );
    }
    for (let i = 0; profiling && i < 500; i++) {
      const fresh = readdirSync(dir).filter((f) => !before.has(f) && f.endsWith('.cpuprofile'));
      if (fresh.length && existsSync(join(dir, fresh[0]))) {
        process.stdout.write(`profile: ${join(dir, fresh[0])}\n`);
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await acrbot.stop();
    await azurite?.stop();
    await sandbox.stop();
    await connector.stop();
  }
}

/** Like Promise.allSettled over `tasks`, with at most `limit` running at once. */
async function allSettledLimited<T>(tasks: (() => Promise<T>)[], limit: number): Promise<PromiseSettledResult<T>[]> {
  const out: PromiseSettledResult<T>[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < tasks.length; i = next++) {
      try {
        out[i] = { status: 'fulfilled', value: await tasks[i]() };
      } catch (reason) {
        out[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  return out;
}

main().catch((err) => {
  process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
