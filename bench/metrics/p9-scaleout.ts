/**
 * P9 scale-out: grant flows per second of two acrbot processes on one Azure Table Storage
 * (Azurite from node_modules) vs one process on the same store, with 0 double executions; and
 * the approve → outcome p50 on Tables vs SQLite, all in one run.
 *
 * - Throughput: `count` grant flows, `concurrency` at a time (closed loop), each on its own
 *   cluster. With two instances, flow i posts its request to instance i % 2 and the approve click
 *   to the other one (a load balancer does not keep a thread on one instance), so every flow
 *   crosses instances through the store. Each run starts fresh processes on a fresh table prefix
 *   of the same Azurite and warms them with `warm` flows each, run the same way. Runs come in
 *   pairs (one, two), alternating which goes first; ratio = the median over the pairs of flows/s
 *   of two ÷ flows/s of one, with the pairs' range.
 * - Double executions: for every flow of the two-instance runs, the audit (read back from the
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
import { percentile, repeated, round, summarize } from '../lib/stats';

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

/** A throughput run of one or of two instances on a fresh table prefix, and (two) its exactly-once check. */
interface Run extends Throughput {
  instances: number;
  /** Two instances: extra execution entries in the audit, and requests with exactly one. */
  auditDoubles: number;
  exactlyOnce: number;
  /** Two instances: successful role-assignment PUTs during the run. */
  puts: number;
}

export const p9Scaleout: Metric = async (ctx) => {
  const count = ctx.quick ? 40 : 200;
  const concurrency = ctx.quick ? 8 : 16;
  const seq = ctx.quick ? 10 : 30;
  // Pairs of runs (one instance, two instances), alternating which goes first; the ratio is the
  // median of the pairs' ratios. Each run warms its instances with `warm` flows each, run as the
  // measured ones are, so both measure a warm steady state and not V8 still optimising.
  const pairs = ctx.quick ? 1 : 3;
  const warm = ctx.quick ? 8 : 40;
  const [azurite, sandbox] = await Promise.all([startAzurite(), startSandbox()]);
  const connector = new BenchConnector();
  await connector.start();
  // Per pair: one instance (warm + count flows) and two (2 × warm + count); then 5 warm-up and
  // `seq` latency flows on Tables and again on SQLite.
  const clusters = addBenchClusters(sandbox, pairs * (2 * count + 3 * warm) + 2 * (5 + seq), 'aks-scale');
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
    for (const [i, c] of take(5).entries())
      await clients[i % clients.length].grantFlow(`${c.ref} contosoacr scale-out warm-up`);
  };
  /** `instances` fresh processes on a fresh prefix: warm-up, the measured run, and (two) the exactly-once check. */
  const measure = async (instances: number): Promise<Run> => {
    const prefix = azurite.freshPrefix();
    const clients: FlowClient[] = [];
    for (let i = 0; i < instances; i++) clients.push(await tables(prefix));
    await throughput(clients, take(warm * instances), concurrency, pids());
    // The emulator's request log is bounded (10,000 entries): emptied here, it holds this run's.
    sandbox.arm.clearRequests();
    const run = await throughput(clients, take(count), concurrency, pids());
    const puts = successfulPuts(sandbox);
    await stopAll();
    let auditDoubles = 0;
    // Requests whose audit shows exactly one execution: proves the audit was read, not just empty.
    let exactlyOnce = 0;
    if (instances > 1) {
      const stores = await tablesStores(
        { kind: 'connectionString', value: azurite.connectionString },
        { now: () => new Date() },
        prefix,
      );
      for (const id of run.requestIds) {
        const actions = (await stores.audit.forRequest(id)).map((e) => e.action);
        const executions = actions.filter((a) => a === 'execution.started' || a === 'execution.resumed').length;
        if (executions > 1) auditDoubles += executions - 1;
        if (executions === 1) exactlyOnce++;
      }
    }
    return { ...run, instances, auditDoubles, exactlyOnce, puts };
  };
  const ones: Run[] = [];
  const twos: Run[] = [];
  let tablesOutcome: number[], sqliteOutcome: number[];
  try {
    for (let pair = 0; pair < pairs; pair++) {
      for (const instances of pair % 2 ? [2, 1] : [1, 2]) {
        ctx.progress(
          `P9: pair ${pair + 1}/${pairs}, ${instances === 1 ? 'one instance' : 'two instances'} on one Azurite Tables store`,
        );
        (instances === 1 ? ones : twos).push(await measure(instances));
      }
    }

    // Approve → outcome, one flow at a time on one instance: Tables, then SQLite.
    ctx.progress('P9: approve → outcome on Tables and on SQLite');
    const single = await tables(azurite.freshPrefix());
    await warmUp([single]);
    tablesOutcome = await outcomeLatencies(single, take(seq));
    await stopAll();
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
  const ratios = repeated(ones.map((one, i) => (one.flowsPerS > 0 ? twos[i].flowsPerS / one.flowsPerS : 0)));
  // What sharing one store costs each flow: 1.0 = two instances spend per flow what one does
  // (every conflict retry, lease wait and cache miss across instances shows up above 1).
  const cpuRatios = repeated(
    ones.map((one, i) => (one.botCpuMsPerFlow > 0 ? twos[i].botCpuMsPerFlow / one.botCpuMsPerFlow : 0)),
  );
  const med = (runs: Run[], pick: (r: Run) => number) => repeated(runs.map(pick));
  const [oneFlows, twoFlows] = [med(ones, (r) => r.flowsPerS), med(twos, (r) => r.flowsPerS)];
  const [oneBotCpu, twoBotCpu] = [med(ones, (r) => r.botCpuMsPerFlow), med(twos, (r) => r.botCpuMsPerFlow)];
  const [oneAzurite, twoAzurite] = [med(ones, (r) => r.azuriteCpuMsPerFlow), med(twos, (r) => r.azuriteCpuMsPerFlow)];
  const cores = (runs: Run[], pick: (r: Run) => number) => med(runs, pick).median.toFixed(2);
  const allOk = [...ones, ...twos].every((r) => r.ok === count);
  const auditDoubles = twos.reduce((sum, r) => sum + r.auditDoubles, 0);
  const exactlyOnce = twos.reduce((sum, r) => sum + r.exactlyOnce, 0);
  const granted = twos.reduce((sum, r) => sum + r.ok, 0);
  const puts = twos.reduce((sum, r) => sum + r.puts, 0);
  const doubles = auditDoubles + twos.reduce((sum, r) => sum + Math.max(0, r.puts - r.ok), 0);
  const tablesP50 = summarize(tablesOutcome).p50;
  const sqliteP50 = summarize(sqliteOutcome).p50;
  const errors = [...new Set([...ones, ...twos].flatMap((r) => r.errors))];
  ctx.progress(
    `P9: one ${oneFlows.median.toFixed(1)} flows/s, two ${twoFlows.median.toFixed(1)} flows/s (${ratios.median.toFixed(2)}×, pairs ${fmt.range(ratios.min, ratios.max, '×')}), ${doubles} double executions; outcome p50 Tables ${fmt.ms(tablesP50)}, SQLite ${fmt.ms(sqliteP50)}`,
  );
  return {
    keys: {
      p9_scaleout_ratio: round(ratios.median, 2),
      p9_scaleout_ratio_min: round(ratios.min, 2),
      p9_scaleout_ratio_max: round(ratios.max, 2),
      p9_double_executions: doubles,
      p9_requests_executed_exactly_once: exactlyOnce,
      p9_one_instance_flows_per_s: round(oneFlows.median, 2),
      p9_two_instances_flows_per_s: round(twoFlows.median, 2),
      p9_azurite_cores_two_instances: round(med(twos, (r) => r.azuriteCores).median, 2),
      p9_bot_cores_two_instances: round(med(twos, (r) => r.botCores).median, 2),
      p9_bench_cores_two_instances: round(med(twos, (r) => r.benchCores).median, 2),
      p9_bot_cpu_ms_per_flow_one_instance: round(oneBotCpu.median, 1),
      p9_bot_cpu_ms_per_flow_two_instances: round(twoBotCpu.median, 1),
      p9_bot_cpu_per_flow_ratio: round(cpuRatios.median, 2),
      p9_azurite_cpu_ms_per_flow_one_instance: round(oneAzurite.median, 1),
      p9_azurite_cpu_ms_per_flow_two_instances: round(twoAzurite.median, 1),
      p9_tables_outcome_p50_ms: round(tablesP50, 1),
      p9_sqlite_outcome_p50_ms: round(sqliteP50, 1),
    },
    rows: [
      {
        id: 'P9',
        what: `grant flows/s, two instances ÷ one, one Azurite Tables store (${count} flows, ${concurrency} at a time)`,
        value: `${ratios.median.toFixed(2)}×`,
        target: '≥ 1.7×',
        met: ratios.median >= 1.7 && allOk,
        detail: `median of ${pairs} pair(s) (${fmt.range(ratios.min, ratios.max, '×')}), each instance warmed with ${warm} flows; one ${oneFlows.median.toFixed(1)} flows/s (${fmt.range(oneFlows.min, oneFlows.max, '')}), two ${twoFlows.median.toFixed(1)} flows/s (${fmt.range(twoFlows.min, twoFlows.max, '')}), ${allOk ? 'every flow granted' : 'NOT every flow granted'}; cores busy (CPU ÷ wall) Azurite ${cores(ones, (r) => r.azuriteCores)} → ${cores(twos, (r) => r.azuriteCores)}, bots ${cores(ones, (r) => r.botCores)} → ${cores(twos, (r) => r.botCores)}, bench process (emulators, client) ${cores(ones, (r) => r.benchCores)} → ${cores(twos, (r) => r.benchCores)}; machine load ${loadavg()[0].toFixed(1)} on ${cpus().length} cores${errors.length ? `; errors: ${errors.slice(0, 2).join('; ')}` : ''}`,
      },
      {
        id: 'P9',
        what: 'bot CPU per flow, two instances ÷ one (what sharing the store costs each flow)',
        value: `${cpuRatios.median.toFixed(2)}×`,
        target: '',
        met: null,
        detail: `pairs ${fmt.range(cpuRatios.min, cpuRatios.max, '×')}; bots ${fmt.ms(oneBotCpu.median)} → ${fmt.ms(twoBotCpu.median)} per flow, Azurite ${fmt.ms(oneAzurite.median)} → ${fmt.ms(twoAzurite.median)}; with a core for each instance and a store that keeps up, two instances would serve about 2 ÷ ${cpuRatios.median.toFixed(2)} = ${(cpuRatios.median > 0 ? 2 / cpuRatios.median : 0).toFixed(2)}× one (an estimate, not the measured ratio above)`,
      },
      {
        id: 'P9',
        what: 'double executions across the two instances',
        value: String(doubles),
        target: '0',
        met: doubles === 0 && exactlyOnce === granted,
        detail: `audit: ${exactlyOnce}/${twos.reduce((sum, r) => sum + r.requestIds.length, 0)} requests of the ${pairs} two-instance run(s) with exactly one execution entry, ${auditDoubles} extra entries; ${puts} successful role-assignment PUTs for ${granted} granted flows`,
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
