/**
 * P9 scale-out: grant flows per second of two acrbot processes on one Azure Table Storage
 * (Azurite from node_modules) vs one process on the same store, with 0 double executions; and
 * the approve → outcome p50 on Tables vs SQLite, all in one run.
 *
 * - Throughput: `count` grant flows, `concurrency` at a time (closed loop), each on its own
 *   cluster. With two instances, flow i posts its request to instance i % 2 and the approve click
 *   to the other one (a load balancer does not keep a thread on one instance), so every flow
 *   crosses instances through the store. Ratio = flows/s of two ÷ flows/s of one, each on a
 *   fresh table prefix of the same Azurite.
 * - Double executions: for every flow of the two-instance run, the audit (read back from the
 *   Tables store) must hold exactly one `execution.started`/`execution.resumed`, and the ARM
 *   emulator must have seen exactly one successful role-assignment PUT per flow.
 * - Outcome p50: `seq` flows one after another (no queueing), approve POST → outcome card, on a
 *   single instance with Tables and with SQLite.
 *
 * Azurite, the bots, the emulators and this client share the machine's cores: on 2 cores two bot
 * processes cannot get twice the CPU of one, so the ratio says more about the machine than acrbot.
 */
import { cpus, loadavg } from 'node:os';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { tablesStores } from '../../src/integrations/store/open-stores';
import { startAzurite } from '../../test/helpers/azurite';
import { type AcrbotProcess, startAcrbotProcess } from '../lib/acrbot-process';
import { addBenchClusters, type BenchCluster } from '../lib/bench-world';
import { cpuMs } from '../lib/child';
import { BenchConnector } from '../lib/connector';
import { FlowClient } from '../lib/flow-client';
import { fmt, type Metric } from '../lib/report-types';
import { percentile, round, summarize } from '../lib/stats';

/** One throughput run. */
export interface Throughput {
  flowsPerS: number;
  wallMs: number;
  ok: number;
  requestIds: string[];
  errors: string[];
  /** CPU used during the run ÷ wall time (1 = one core busy), of Azurite and of the bot processes. */
  azuriteCores: number;
  botCores: number;
  /** The same for this process (emulators, connector, client). */
  benchCores: number;
  /** CPU per granted flow, in ms: all bot processes together, and Azurite. */
  botCpuMsPerFlow: number;
  azuriteCpuMsPerFlow: number;
}

/** Runs one grant flow per cluster, `concurrency` at a time; flow i requests on clients[i % n] and approves on the next one. */
export async function throughput(
  clients: FlowClient[],
  clusters: BenchCluster[],
  concurrency: number,
  pids: { azurite: number; bots: number[] },
): Promise<Throughput> {
  const botCpu = () => pids.bots.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const [azurite0, bots0, bench0] = [cpuMs(pids.azurite), botCpu(), process.cpuUsage()];
  const requestIds: string[] = [];
  const errors: string[] = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    for (let i = next++; i < clusters.length; i = next++) {
      const asker = clients[i % clients.length];
      const approver = clients[(i + 1) % clients.length];
      try {
        const req = await asker.request(`${clusters[i].ref} contosoacr scale-out benchmark`, 30_000);
        if (req.kind !== 'planned') throw new Error(`no plan card for ${clusters[i].ref}`);
        requestIds.push(req.requestId!);
        const out = await approver.approve(req.requestId!, req.conversationId, 30_000);
        if (!out.granted) throw new Error(`${req.requestId} not granted`);
      } catch (err) {
        errors.push(String((err as Error).message).slice(0, 160));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - t0;
  const ok = clusters.length - errors.length;
  const azuriteCpu = cpuMs(pids.azurite) - azurite0;
  const botsCpu = botCpu() - bots0;
  const bench = process.cpuUsage(bench0);
  const benchCores = (bench.user + bench.system) / 1000 / wallMs;
  return {
    flowsPerS: (ok * 1000) / wallMs,
    wallMs,
    ok,
    requestIds,
    errors,
    azuriteCores: azuriteCpu / wallMs,
    botCores: botsCpu / wallMs,
    benchCores,
    botCpuMsPerFlow: botsCpu / Math.max(ok, 1),
    azuriteCpuMsPerFlow: azuriteCpu / Math.max(ok, 1),
  };
}

/** approve POST → outcome card of `clusters.length` flows run one after another. */
async function outcomeLatencies(client: FlowClient, clusters: BenchCluster[]): Promise<number[]> {
  const out: number[] = [];
  for (const c of clusters) out.push((await client.grantFlow(`${c.ref} contosoacr outcome latency`)).approve.outcomeMs);
  return out;
}

const successfulPuts = (sandbox: Sandbox) =>
  sandbox.arm.requests.filter((e) => e.operation === 'roleAssignments.create' && e.status < 300).length;

export const p9Scaleout: Metric = async (ctx) => {
  const count = ctx.quick ? 40 : 200;
  const concurrency = ctx.quick ? 8 : 16;
  const seq = ctx.quick ? 10 : 30;
  const warm = 5;
  const [azurite, sandbox] = await Promise.all([startAzurite(), startSandbox()]);
  const connector = new BenchConnector();
  await connector.start();
  // Per phase: warm-up + sequential latency flows + the throughput run, each on fresh clusters.
  const clusters = addBenchClusters(sandbox, 3 * (warm + seq + count), 'aks-scale');
  let taken = 0;
  const take = (n: number) => clusters.slice(taken, (taken += n));
  const started: AcrbotProcess[] = [];
  const tables = async (prefix: string) => {
    const p = await startAcrbotProcess(sandbox, {
      env: { ACRBOT_STORAGE: `tables:${azurite.connectionString}`, ACRBOT_TABLE_PREFIX: prefix },
    });
    started.push(p);
    return new FlowClient(p.bot.url, connector);
  };
  const pids = () => ({ azurite: azurite.child.pid!, bots: started.map((p) => p.bot.child.pid!) });
  const stopAll = async () => {
    await Promise.all(started.splice(0).map((p) => p.stop()));
  };
  const warmUp = async (clients: FlowClient[]) => {
    for (const [i, c] of take(warm).entries())
      await clients[i % clients.length].grantFlow(`${c.ref} contosoacr scale-out warm-up`);
  };
  let one: Throughput, two: Throughput;
  let tablesOutcome: number[], sqliteOutcome: number[];
  let auditDoubles = 0;
  // Requests whose audit shows exactly one execution: proves the audit was read, not just empty.
  let exactlyOnce = 0;
  let putsTwo = 0;
  try {
    // One instance on Tables: outcome latency, then throughput.
    ctx.progress('P9: one instance on Azurite Tables');
    const single = await tables(azurite.freshPrefix());
    await warmUp([single]);
    tablesOutcome = await outcomeLatencies(single, take(seq));
    one = await throughput([single], take(count), concurrency, pids());
    await stopAll();

    // Two instances on one fresh prefix: throughput, then the exactly-once checks.
    ctx.progress('P9: two instances on one Azurite Tables store');
    const prefix = azurite.freshPrefix();
    const pair = [await tables(prefix), await tables(prefix)];
    await warmUp(pair);
    const puts0 = successfulPuts(sandbox);
    two = await throughput(pair, take(count), concurrency, pids());
    putsTwo = successfulPuts(sandbox) - puts0;
    await stopAll();
    const stores = await tablesStores(
      { kind: 'connectionString', value: azurite.connectionString },
      { now: () => new Date() },
      prefix,
    );
    for (const id of two.requestIds) {
      const actions = (await stores.audit.forRequest(id)).map((e) => e.action);
      const executions = actions.filter((a) => a === 'execution.started' || a === 'execution.resumed').length;
      if (executions > 1) auditDoubles += executions - 1;
      if (executions === 1) exactlyOnce++;
    }

    // One instance on SQLite: outcome latency.
    ctx.progress('P9: one instance on SQLite');
    const lite = await startAcrbotProcess(sandbox);
    started.push(lite);
    const liteClient = new FlowClient(lite.bot.url, connector);
    await warmUp([liteClient]);
    sqliteOutcome = await outcomeLatencies(liteClient, take(seq));
  } finally {
    await stopAll();
    await connector.stop();
    await sandbox.stop();
    await azurite.stop();
  }
  const ratio = one.flowsPerS > 0 ? two.flowsPerS / one.flowsPerS : 0;
  // What sharing one store costs each flow: 1.0 = two instances spend per flow what one does
  // (every conflict retry, lease wait and cache miss across instances shows up above 1).
  const botCpuRatio = one.botCpuMsPerFlow > 0 ? two.botCpuMsPerFlow / one.botCpuMsPerFlow : 0;
  const doubles = auditDoubles + Math.max(0, putsTwo - two.ok);
  const tablesP50 = summarize(tablesOutcome).p50;
  const sqliteP50 = summarize(sqliteOutcome).p50;
  const errors = [...new Set([...one.errors, ...two.errors])];
  ctx.progress(
    `P9: one ${one.flowsPerS.toFixed(1)} flows/s, two ${two.flowsPerS.toFixed(1)} flows/s (${ratio.toFixed(2)}×; Azurite ${one.azuriteCores.toFixed(2)} → ${two.azuriteCores.toFixed(2)} cores, bots ${one.botCores.toFixed(2)} → ${two.botCores.toFixed(2)}, bench ${one.benchCores.toFixed(2)} → ${two.benchCores.toFixed(2)}), ${doubles} double executions; outcome p50 Tables ${fmt.ms(tablesP50)}, SQLite ${fmt.ms(sqliteP50)}`,
  );
  return {
    keys: {
      p9_scaleout_ratio: round(ratio, 2),
      p9_double_executions: doubles,
      p9_requests_executed_exactly_once: exactlyOnce,
      p9_one_instance_flows_per_s: round(one.flowsPerS, 2),
      p9_two_instances_flows_per_s: round(two.flowsPerS, 2),
      p9_azurite_cores_two_instances: round(two.azuriteCores, 2),
      p9_bot_cores_two_instances: round(two.botCores, 2),
      p9_bench_cores_two_instances: round(two.benchCores, 2),
      p9_bot_cpu_ms_per_flow_one_instance: round(one.botCpuMsPerFlow, 1),
      p9_bot_cpu_ms_per_flow_two_instances: round(two.botCpuMsPerFlow, 1),
      p9_bot_cpu_per_flow_ratio: round(botCpuRatio, 2),
      p9_azurite_cpu_ms_per_flow_one_instance: round(one.azuriteCpuMsPerFlow, 1),
      p9_azurite_cpu_ms_per_flow_two_instances: round(two.azuriteCpuMsPerFlow, 1),
      p9_tables_outcome_p50_ms: round(tablesP50, 1),
      p9_sqlite_outcome_p50_ms: round(sqliteP50, 1),
    },
    rows: [
      {
        id: 'P9',
        what: `grant flows/s, two instances ÷ one, one Azurite Tables store (${count} flows, ${concurrency} at a time)`,
        value: `${ratio.toFixed(2)}×`,
        target: '≥ 1.7×',
        met: ratio >= 1.7 && two.ok === count && one.ok === count,
        detail: `one ${one.flowsPerS.toFixed(1)} flows/s (${one.ok}/${count} ok), two ${two.flowsPerS.toFixed(1)} flows/s (${two.ok}/${count} ok); cores busy (CPU ÷ wall) Azurite ${one.azuriteCores.toFixed(2)} → ${two.azuriteCores.toFixed(2)}, bots ${one.botCores.toFixed(2)} → ${two.botCores.toFixed(2)}, bench process (emulators, client) ${one.benchCores.toFixed(2)} → ${two.benchCores.toFixed(2)}; machine load ${loadavg()[0].toFixed(1)} on ${cpus().length} cores${errors.length ? `; errors: ${errors.slice(0, 2).join('; ')}` : ''}`,
      },
      {
        id: 'P9',
        what: 'bot CPU per flow, two instances ÷ one (what sharing the store costs each flow)',
        value: `${botCpuRatio.toFixed(2)}×`,
        target: '',
        met: null,
        detail: `bots ${fmt.ms(one.botCpuMsPerFlow)} → ${fmt.ms(two.botCpuMsPerFlow)} per flow, Azurite ${fmt.ms(one.azuriteCpuMsPerFlow)} → ${fmt.ms(two.azuriteCpuMsPerFlow)}; with a core for each instance and a store that keeps up, two instances would serve about 2 ÷ ${botCpuRatio.toFixed(2)} = ${(botCpuRatio > 0 ? 2 / botCpuRatio : 0).toFixed(2)}× one (an estimate, not the measured ratio above)`,
      },
      {
        id: 'P9',
        what: 'double executions across the two instances',
        value: String(doubles),
        target: '0',
        met: doubles === 0 && exactlyOnce === two.ok,
        detail: `audit: ${exactlyOnce}/${two.requestIds.length} requests with exactly one execution entry, ${auditDoubles} extra entries; ${putsTwo} successful role-assignment PUTs for ${two.ok} granted flows`,
      },
      {
        id: 'P9',
        what: 'approve → outcome p50, Tables (Azurite) vs SQLite',
        value: `${fmt.ms(tablesP50)} vs ${fmt.ms(sqliteP50)}`,
        target: '',
        met: null,
        detail: `${seq} sequential flows each on one instance; p90 ${fmt.ms(percentile(tablesOutcome, 90))} vs ${fmt.ms(percentile(sqliteOutcome, 90))}`,
      },
    ],
    notes: [
      `P9: acrbot as \`node dist/index.js\`; Azurite (in-memory) in its own process, emulators and connector in the bench process; two-instance flows request on one instance and approve on the other; the machine's cores are shared by Azurite, every bot and the client, so the ratio is bounded by CPU, not by the store.`,
    ],
  };
};

/** The entry point bench/run.ts discovers. */
export const metric = p9Scaleout;
