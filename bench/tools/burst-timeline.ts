/**
 * Where a P8 burst's time goes, over time: 200 grant flows started together (as P8 runs them),
 * and every 50 ms the bot's CPU (whole process and its JavaScript thread), the harness's CPU, and
 * how many plan cards and outcome cards arrived. For docs/performance.md:
 *
 *   npm run build && node scripts/run-ts.js bench/tools/burst-timeline.ts [flows=200] [bursts=6]
 *
 * Each burst prints its plan/outcome percentiles and the bot's CPU per flow; the last one also
 * prints its timeline (percentages of one core). A JavaScript thread below 100 % while flows
 * are pending is time the bot waited for the harness (emulators, connector, client) or the disk.
 * BENCH_NODE_FLAGS passes node/V8 flags to the bot, as in profile-flows.ts.
 */
import { startSandbox } from '../../src/sandbox/sandbox';
import { startAcrbotProcess } from '../lib/acrbot-process';
import { addBenchClusters, type BenchCluster, revoke } from '../lib/bench-world';
import { cpuMs, mainThreadCpuMs } from '../lib/child';
import { BenchConnector } from '../lib/connector';
import { FlowClient } from '../lib/flow-client';

/** One 50 ms sample: ms since the burst began, then CPU ms so far of the bot, its JS thread, the harness. */
type Sample = [at: number, bot: number, main: number, harness: number];

async function burst(client: FlowClient, clusters: BenchCluster[], pid: number, timeline: boolean): Promise<void> {
  const count = clusters.length;
  const samples: Sample[] = [];
  const t0 = performance.now();
  const harness0 = process.cpuUsage();
  const sample = () => {
    const h = process.cpuUsage(harness0);
    samples.push([performance.now() - t0, cpuMs(pid), mainThreadCpuMs(pid), (h.user + h.system) / 1000]);
  };
  sample();
  const timer = setInterval(sample, 50);
  const plans: number[] = [];
  const outcomes: number[] = [];
  await Promise.all(
    clusters.map(async (c) => {
      const planned = await client.request(`${c.ref} contosoacr burst timeline`);
      plans.push(performance.now() - t0);
      await client.approve(planned.requestId!, planned.conversationId);
      outcomes.push(performance.now() - t0);
    }),
  );
  clearInterval(timer);
  sample();
  const at = (xs: number[], q: number) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
  const [first, last] = [samples[0], samples[samples.length - 1]];
  process.stdout.write(
    `plan cards p50 ${at(plans, 0.5).toFixed(0)} last ${at(plans, 1).toFixed(0)} ms; outcomes first ${at(outcomes, 0).toFixed(0)} p50 ${at(outcomes, 0.5).toFixed(0)} p99 ${at(outcomes, 0.99).toFixed(0)} ms; ` +
      `bot ${((last[1] - first[1]) / count).toFixed(2)} ms/flow (JavaScript thread ${((last[2] - first[2]) / count).toFixed(2)}), harness ${((last[3] - first[3]) / count).toFixed(2)}\n`,
  );
  if (!timeline) return;
  const pct = (a: number, b: number, dt: number) => `${(((b - a) / dt) * 100).toFixed(0).padStart(4)} %`;
  for (let i = 1; i < samples.length; i++) {
    const [prev, s] = [samples[i - 1], samples[i]];
    const dt = s[0] - prev[0];
    const within = (xs: number[]) => String(xs.filter((x) => x > prev[0] && x <= s[0]).length).padStart(4);
    process.stdout.write(
      `${s[0].toFixed(0).padStart(6)} ms  bot ${pct(prev[1], s[1], dt)}  JS thread ${pct(prev[2], s[2], dt)}  harness ${pct(prev[3], s[3], dt)}  plan cards ${within(plans)}  outcomes ${within(outcomes)}\n`,
    );
  }
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 200);
  const bursts = Number(process.argv[3] ?? 6);
  const connector = new BenchConnector();
  await connector.start();
  const sandbox = await startSandbox({ recordRequests: false });
  const clusters = addBenchClusters(sandbox, count, 'aks-timeline');
  const acrbot = await startAcrbotProcess(sandbox, {
    nodeArgs: (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
  });
  const client = new FlowClient(acrbot.bot.url, connector);
  try {
    // Warm-up as P8's: 20 flows one at a time, then one unmeasured burst.
    for (const c of clusters.slice(0, 20)) {
      revoke(sandbox, c);
      await client.grantFlow(`${c.ref} contosoacr timeline warm-up`);
    }
    for (const c of clusters.slice(0, 20)) revoke(sandbox, c);
    await Promise.all(clusters.map((c) => client.grantFlow(`${c.ref} contosoacr timeline warm burst`)));
    for (const c of clusters) revoke(sandbox, c);
    for (let b = 0; b < bursts; b++) {
      process.stdout.write(`burst ${b + 1}: `);
      await burst(client, clusters, acrbot.bot.child.pid!, b === bursts - 1);
      for (const c of clusters) revoke(sandbox, c);
    }
  } finally {
    await acrbot.stop();
    await sandbox.stop();
    await connector.stop();
  }
}

void main();
