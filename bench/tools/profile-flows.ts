/**
 * CPU profile of acrbot during a burst of simultaneous grant flows (what P8 measures), for
 * docs/performance.md:
 *
 *   npm run build && node scripts/run-ts.js bench/tools/profile-flows.ts [flows=200] [dir=/tmp/acrbot-prof]
 *   node scripts/run-ts.js bench/tools/cpuprofile-summary.ts <dir>/<pid>-1.cpuprofile 25
 *
 * The bot runs as in P8 (`node dist/index.js`, SQLite, emulators in this process) with the
 * profile preload: the profiler runs only over the burst (after a warm-up), not start-up.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox } from '../../src/sandbox/sandbox';
import { startAcrbotProcess } from '../lib/acrbot-process';
import { addBenchClusters, revoke } from '../lib/bench-world';
import { cpuMs } from '../lib/child';
import { compileBench, compiled } from '../lib/compile';
import { BenchConnector } from '../lib/connector';
import { FlowClient } from '../lib/flow-client';

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 200);
  const dir = process.argv[3] ?? '/tmp/acrbot-prof';
  mkdirSync(dir, { recursive: true });
  compileBench();
  const connector = new BenchConnector();
  await connector.start();
  const sandbox = await startSandbox({ recordRequests: false });
  const clusters = addBenchClusters(sandbox, count, 'aks-prof');
  const acrbot = await startAcrbotProcess(sandbox, {
    // BENCH_EXTRA_PRELOAD: one more `-r` module in the bot (e.g. a statement counter), for one-off questions.
    nodeArgs: [
      '-r',
      compiled('bench/workers/profile-preload.ts'),
      ...(process.env.BENCH_EXTRA_PRELOAD ? ['-r', process.env.BENCH_EXTRA_PRELOAD] : []),
    ],
    env: { BENCH_PROFILE_DIR: dir },
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
    process.kill(pid, 'SIGUSR2');
    const cpu0 = cpuMs(pid);
    const t0 = performance.now();
    const results = await Promise.allSettled(
      clusters.map(async (c) => {
        const start = performance.now();
        await client.grantFlow(`${c.ref} contosoacr profile burst`);
        return performance.now() - start;
      }),
    );
    const wall = performance.now() - t0;
    const cpu = cpuMs(pid) - cpu0;
    process.kill(pid, 'SIGUSR2');
    const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])).sort((a, b) => a - b);
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    const p = (q: number) => ok[Math.min(ok.length - 1, Math.floor(q * ok.length))]?.toFixed(0);
    process.stdout.write(
      `${ok.length}/${count} ok in ${wall.toFixed(0)} ms; flow p50 ${p(0.5)} ms p99 ${p(0.99)} ms; bot CPU ${(cpu / count).toFixed(1)} ms/flow\n`,
    );
    process.stdout.write(
      `connector calls per flow: ${[...ops].map(([k, v]) => `${k} ${(v / count).toFixed(2)}`).join(', ')}\n`,
    );
    for (const f of failed.slice(0, 3)) process.stdout.write(`failed: ${String(f.reason).slice(0, 200)}\n`);
    for (let i = 0; i < 500; i++) {
      const fresh = readdirSync(dir).filter((f) => !before.has(f) && f.endsWith('.cpuprofile'));
      if (fresh.length && existsSync(join(dir, fresh[0]))) {
        process.stdout.write(`profile: ${join(dir, fresh[0])}\n`);
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await acrbot.stop();
    await sandbox.stop();
    await connector.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
