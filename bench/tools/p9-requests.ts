/**
 * What a second instance costs each grant flow on one Tables store (P9's two-instance run, with
 * its request on one instance and its approve click on the other): Azure Tables requests per flow
 * by kind and status, and bot CPU per flow, for one instance and then two.
 *
 *   npm run build && node scripts/run-ts.js bench/tools/p9-requests.ts [flows=200] [concurrency=16] [warm=5] [instances=1,2]
 *
 * P9_USERS=<n> spreads the flows over n requesters (P9 itself uses one).
 *
 * Counting is `bench/workers/http-count-preload.ts` with BENCH_COUNT_DETAIL=1 in each bot; the
 * flows are P9's (`throughput` from bench/metrics/p9-scaleout.ts), after `warm` flows per instance
 * run the same way (default 5).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../../src/sandbox/sandbox';
import { startAzurite } from '../../test/helpers/azurite';
import { type AcrbotProcess, startAcrbotProcess } from '../lib/acrbot-process';
import { addBenchClusters } from '../lib/bench-world';
import { compileBench, compiled } from '../lib/compile';
import { BenchConnector } from '../lib/connector';
import { type TeamsUser, USERS } from '../lib/activities';
import { FlowClient } from '../lib/flow-client';
import { readRequestCounts, totalRequests } from '../lib/request-counts';
import { throughput } from '../metrics/p9-scaleout';

/** Each bot's counts of its counted window, added up. */
async function readCounts(dir: string, pids: number[]): Promise<Map<string, number>> {
  const sum = new Map<string, number>();
  for (const pid of pids)
    for (const [k, v] of Object.entries(await readRequestCounts(dir, pid))) sum.set(k, (sum.get(k) ?? 0) + v);
  return sum;
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 200);
  const concurrency = Number(process.argv[3] ?? 16);
  // Warm-up flows per instance before counting, run as the measured flows are (16 at a time).
  const warm = Number(process.argv[4] ?? 5);
  compileBench();
  const dir = mkdtempSync(join(tmpdir(), 'acrbot-p9-requests-'));
  const [azurite, sandbox] = await Promise.all([startAzurite(), startSandbox({ recordRequests: false })]);
  const connector = new BenchConnector();
  await connector.start();
  const clusters = addBenchClusters(sandbox, 6 * (count + warm), 'aks-p9req');
  let taken = 0;
  const take = (n: number) => clusters.slice(taken, (taken += n));
  const started: AcrbotProcess[] = [];
  try {
    for (const instances of (process.argv[5] ?? '1,2').split(',').map(Number)) {
      const prefix = azurite.freshPrefix();
      const bots: AcrbotProcess[] = [];
      for (let i = 0; i < instances; i++) {
        const p = await startAcrbotProcess(sandbox, {
          nodeArgs: [
            '-r',
            compiled('bench/workers/http-count-preload.ts'),
            // P9_PROFILE=1: a CPU profile of each bot over the counted window too (in the printed directory).
            ...(process.env.P9_PROFILE === '1' ? ['-r', compiled('bench/workers/profile-preload.ts')] : []),
          ],
          env: {
            ACRBOT_STORAGE: `tables:${azurite.connectionString}`,
            ACRBOT_TABLE_PREFIX: prefix,
            BENCH_PROFILE_DIR: dir,
            BENCH_COUNT_HOST: new URL(azurite.tableEndpoint).host,
            BENCH_COUNT_DETAIL: '1',
          },
        });
        bots.push(p);
        started.push(p);
      }
      // P9_USERS=<n>: the flows come from n requesters (flow i from user i % n) instead of one, so
      // no single user's rate-window row is shared by every flow.
      const users = Number(process.env.P9_USERS ?? 1);
      const clients = Array.from({ length: Math.max(users, instances) }, (_, i) => {
        const requester: TeamsUser = {
          ...USERS.requester,
          objectId: `${(0xb0000000 + (i % users)).toString(16)}-0000-4000-8000-00000000b9b9`,
          teamsId: `29:bench-user-${i % users}`,
        };
        return new FlowClient(bots[i % instances].bot.url, connector, users > 1 ? requester : USERS.requester);
      });
      const pids = bots.map((b) => b.bot.child.pid!);
      await throughput(clients, take(warm * instances), concurrency, { azurite: azurite.child.pid!, bots: pids });
      for (const pid of pids) process.kill(pid, 'SIGUSR2');
      const run = await throughput(clients, take(count), concurrency, { azurite: azurite.child.pid!, bots: pids });
      for (const pid of pids) process.kill(pid, 'SIGUSR2');
      const counts = await readCounts(dir, pids);
      const total = totalRequests(counts);
      process.stdout.write(
        `\n${instances} instance(s): ${run.ok}/${count} ok, ${run.flowsPerS.toFixed(1)} flows/s; bot CPU ${run.botCpuMsPerFlow.toFixed(1)} ms/flow, Azurite ${run.azuriteCpuMsPerFlow.toFixed(1)} ms/flow; Tables requests per flow ${(total / run.ok).toFixed(2)}\n`,
      );
      for (const [k, v] of [...counts].sort()) process.stdout.write(`  ${k.padEnd(60)} ${(v / run.ok).toFixed(3)}\n`);
      if (run.errors.length) process.stdout.write(`  errors: ${run.errors.slice(0, 3).join('; ')}\n`);
      await Promise.all(started.splice(0).map((p) => p.stop()));
    }
  } finally {
    await Promise.all(started.map((p) => p.stop()));
    await connector.stop();
    await sandbox.stop();
    await azurite.stop();
    if (process.env.P9_PROFILE === '1') process.stdout.write(`profiles: ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
