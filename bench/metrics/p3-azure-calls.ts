/**
 * P3 Azure calls: how many ARM and Graph requests one grant costs, counted from the sandbox
 * emulators' request logs (the real SDK clients talk to them over HTTPS, so every retry,
 * paging call or extra GET is visible). Counts are deterministic: one run is enough.
 *
 * Scenarios, with one allowed subscription and clusters given as resourceGroup/name:
 * first grant on an MSI cluster (aks-prod) and on a service-principal cluster (aks-legacy),
 * then the same grant again ("Access already exists", no request), and the secret flow if it
 * exists (null when the bot answers "Not available yet").
 */
import { SANDBOX_SUBSCRIPTIONS } from '../../src/sandbox/fixtures';
import { AcrbotDriver, summary } from '../lib/acrbot-driver';
import type { Metric, Row } from '../lib/report-types';

/** Requests seen by both emulators since the last clear. */
interface Counts {
  arm: number;
  armWrites: number;
  graph: number;
  operations: string[];
}

function counts(d: AcrbotDriver): Counts {
  const arm = d.sandbox.arm.requests;
  const graph = d.sandbox.graph.requests;
  return {
    arm: arm.length,
    armWrites: arm.filter((r) => r.method !== 'GET').length,
    graph: graph.length,
    operations: [
      ...arm.map((r) => `${r.method} ${r.operation}`),
      ...graph.map((r) => `graph ${r.method} ${r.operation}`),
    ],
  };
}

function clear(d: AcrbotDriver): void {
  d.sandbox.arm.clearRequests();
  d.sandbox.graph.clearRequests();
}

/** A first grant (request + approve + outcome), then the same grant again. */
async function grantTwice(d: AcrbotDriver, cluster: string): Promise<{ first: Counts; plan: Counts; again: Counts }> {
  clear(d);
  const request = await d.request(`${cluster} contosoacr benchmark counts azure calls`);
  if (request.kind !== 'planned') throw new Error(`no plan for ${cluster}: ${summary(request.raw)}`);
  const plan = counts(d);
  const approved = await d.approve(request.requestId!, request.conversationId);
  if (!approved.granted) throw new Error(`grant on ${cluster} failed: ${summary(approved.raw)}`);
  await d.drain();
  const first = counts(d);
  clear(d);
  const again = await d.request(`${cluster} contosoacr benchmark counts azure calls`);
  if (again.kind !== 'alreadyExists')
    throw new Error(`second grant on ${cluster} did not say "Access already exists": ${summary(again.raw)}`);
  return { first, plan, again: counts(d) };
}

/** The secret flow if it exists: counts of a token-kind secret, or null. */
async function secret(d: AcrbotDriver, kind: 'token' | 'sp'): Promise<{ counts: Counts | null; note: string }> {
  clear(d);
  const reply = await d.say(
    `secret rg-aks/aks-prod contosoacr --namespace payments --kind ${kind} --name acr-${kind} benchmark counts azure calls`,
  );
  if (/Not available yet/.test(reply.raw)) return { counts: null, note: 'the bot answers "Not available yet"' };
  if (reply.kind !== 'planned') return { counts: null, note: `no plan: ${summary(reply.raw)}` };
  const approved = await d.approve(reply.requestId!, reply.conversationId);
  await d.drain();
  if (!approved.granted) return { counts: null, note: `the flow failed: ${summary(approved.raw)}` };
  return { counts: counts(d), note: 'measured' };
}

export const p3AzureCalls: Metric = async () => {
  const d = await AcrbotDriver.start({ env: { ACRBOT_SUBSCRIPTION_IDS: SANDBOX_SUBSCRIPTIONS.platform } });
  try {
    const msi = await grantTwice(d, 'rg-aks/aks-prod');
    const sp = await grantTwice(d, 'rg-legacy/aks-legacy');
    d.sandbox.arm.state.roleAssignments.clear();
    const token = await secret(d, 'token');
    const spSecret = await secret(d, 'sp');
    const reads = (c: Counts) => c.arm - c.armWrites;
    const rows: Row[] = [
      {
        id: 'P3',
        what: 'ARM requests, first grant, MSI cluster',
        value: `${msi.first.arm} (${msi.first.armWrites} write)`,
        target: '≤ 7, exactly 1 write',
        met: msi.first.arm <= 7 && msi.first.armWrites === 1,
        detail: `plan ${msi.plan.arm}, execution ${msi.first.arm - msi.plan.arm}: ${msi.first.operations.join(', ')}`,
      },
      {
        id: 'P3',
        what: 'Graph requests, first grant, MSI cluster',
        value: String(msi.first.graph),
        target: '0',
        met: msi.first.graph === 0,
        detail: '',
      },
      {
        id: 'P3',
        what: 'ARM requests, re-run on a granted pair',
        value: `${msi.again.arm} (${msi.again.armWrites} writes)`,
        target: '≤ 3 reads, 0 writes',
        met: reads(msi.again) <= 3 && msi.again.armWrites === 0,
        detail: msi.again.operations.join(', '),
      },
      {
        id: 'P3',
        what: 'ARM / Graph requests, first grant, SP cluster',
        value: `${sp.first.arm} / ${sp.first.graph}`,
        target: '',
        met: null,
        detail: `${sp.first.armWrites} write; ${sp.first.operations.join(', ')}; re-run ${sp.again.arm} ARM / ${sp.again.graph} Graph`,
      },
      {
        id: 'P3',
        what: 'ARM / Graph requests, secret flow (token, sp)',
        value: token.counts ? `${token.counts.arm} / ${token.counts.graph}` : 'null',
        target: '',
        met: null,
        detail: token.counts
          ? `token: ${token.counts.operations.join(', ')}; sp: ${spSecret.counts?.operations.join(', ') ?? spSecret.note}`
          : `not measured: ${token.note}`,
      },
    ];
    return {
      keys: {
        p3_arm_first_grant_msi: msi.first.arm,
        p3_arm_first_grant_msi_writes: msi.first.armWrites,
        p3_graph_first_grant_msi: msi.first.graph,
        p3_arm_regrant: msi.again.arm,
        p3_arm_regrant_writes: msi.again.armWrites,
        p3_graph_regrant: msi.again.graph,
        p3_arm_first_grant_sp: sp.first.arm,
        p3_graph_first_grant_sp: sp.first.graph,
        p3_arm_regrant_sp: sp.again.arm,
        p3_graph_regrant_sp: sp.again.graph,
        p3_arm_secret_token: token.counts?.arm ?? null,
        p3_graph_secret_token: token.counts?.graph ?? null,
        p3_arm_secret_sp: spSecret.counts?.arm ?? null,
        p3_graph_secret_sp: spSecret.counts?.graph ?? null,
      },
      rows,
      notes: [
        "P3: request counts from the emulators' request logs (every HTTPS request the real SDK clients made), one subscription (ACRBOT_SUBSCRIPTION_IDS=1f0c…0001), clusters given as resourceGroup/name, registry contosoacr by name.",
        ...(token.counts ? [] : [`P3: secret flow recorded as null: ${token.note}.`]),
      ],
    };
  } finally {
    await d.stop();
  }
};

/** The entry point bench/run.ts discovers. */
export const metric = p3AzureCalls;
