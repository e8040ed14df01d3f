/**
 * P7 scale, two parts.
 *
 * Approve latency with 10k pending requests in the SQLite store vs an empty one: two acrbot
 * instances in this process share one sandbox; one store is empty, the other holds 10k pending
 * requests (each with its `request.created` audit entry, as the bot itself would write them).
 * Flows alternate between the two bots so background load hits both alike; each flow is a
 * first grant (assignments are cleared before it). Latency = approve click → outcome card.
 *
 * Audit verify over 100k entries: append 100k entries to a SqliteAuditLog on a temp file, then
 * time `verify()` (which streams the chain and recomputes every hash).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessRequest } from '../../src/domain/request';
import { newRequestId } from '../../src/domain/identifiers';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { SANDBOX_SUBSCRIPTIONS } from '../../src/sandbox/fixtures';
import { startSandbox } from '../../src/sandbox/sandbox';
import { AcrbotDriver } from '../lib/acrbot-driver';
import { fmt, type Metric, type Row } from '../lib/report-types';
import { median, repeated, round, summarize } from '../lib/stats';

const ARGS = 'rg-aks/aks-prod contosoacr scale benchmark flow';

/** Fills a bot's store with `count` pending requests cloned from a real one. */
async function addPending(d: AcrbotDriver, template: AccessRequest, count: number): Promise<void> {
  const now = new Date();
  for (let i = 0; i < count; i++) {
    const request: AccessRequest = {
      ...template,
      id: newRequestId(),
      version: 1,
      state: 'pending',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
      decision: undefined,
      outcome: undefined,
    };
    await d.app.audit.append({
      actor: request.requester,
      tenantId: request.tenantId,
      action: 'request.created',
      requestId: request.id,
      targetIds: [request.plan.cluster.id, request.plan.registry.id],
      outcome: 'pending',
      detail: request.reason,
    });
    await d.app.store.create(request);
  }
}

/** Approve latency, empty store vs `pending` pending requests. */
async function approveAtScale(pending: number, flows: number, runs: number, progress: (m: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'acrbot-bench-p7-'));
  const sandbox = await startSandbox({ recordRequests: false });
  const env = (name: string) => ({
    ACRBOT_SUBSCRIPTION_IDS: SANDBOX_SUBSCRIPTIONS.platform,
    ACRBOT_STORAGE: `sqlite:${join(dir, `${name}.db`)}`,
  });
  const empty = await AcrbotDriver.start({ sandbox, env: env('empty') });
  const loaded = await AcrbotDriver.start({ sandbox, env: env('loaded') });
  const flow = async (d: AcrbotDriver) => {
    sandbox.arm.state.roleAssignments.clear();
    const f = await d.grantFlow(ARGS);
    await d.drain();
    return f.approve;
  };
  try {
    const first = await empty.request(ARGS);
    const template = await empty.app.store.get(first.requestId!);
    const t0 = performance.now();
    await addPending(loaded, template!, pending);
    progress(`P7 inserted ${pending} pending requests in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    for (let i = 0; i < 20; i++) {
      await flow(empty);
      await flow(loaded);
    } // warm-up
    const ratios: number[] = [];
    const invokeRatios: number[] = [];
    const p50 = { empty: [] as number[], loaded: [] as number[] };
    for (let r = 0; r < runs; r++) {
      const outcome = { empty: [] as number[], loaded: [] as number[] };
      const invoke = { empty: [] as number[], loaded: [] as number[] };
      for (let i = 0; i < flows; i++) {
        // Alternate who goes first, as elsewhere.
        const order =
          i % 2 === 0
            ? ([
                ['empty', empty],
                ['loaded', loaded],
              ] as const)
            : ([
                ['loaded', loaded],
                ['empty', empty],
              ] as const);
        for (const [name, d] of order) {
          const a = await flow(d);
          outcome[name].push(a.outcomeMs);
          invoke[name].push(a.invokeMs);
        }
      }
      const e = summarize(outcome.empty).p50;
      const l = summarize(outcome.loaded).p50;
      p50.empty.push(e);
      p50.loaded.push(l);
      ratios.push(l / e);
      invokeRatios.push(median(invoke.loaded) / median(invoke.empty));
      progress(
        `P7 run ${r + 1}/${runs}: approve → outcome p50 ${fmt.ms(l)} with ${pending} pending vs ${fmt.ms(e)} empty`,
      );
    }
    return {
      ratio: repeated(ratios),
      invokeRatio: repeated(invokeRatios),
      empty: repeated(p50.empty),
      loaded: repeated(p50.loaded),
    };
  } finally {
    await empty.stop();
    await loaded.stop();
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Appends `count` entries to a fresh SQLite audit log and times verify() `runs` times. */
async function auditVerify(count: number, runs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'acrbot-bench-audit-'));
  const db = openSqlite(join(dir, 'audit.db'));
  try {
    const log = new SqliteAuditLog(db, { now: () => new Date() });
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      await log.append({
        actor: { objectId: '0a000000-0000-4000-8000-00000000aaa1', name: 'Riley Requester' },
        tenantId: '5b1e2c3d-0000-4000-8000-00000000a0a0',
        action: i % 3 === 0 ? 'request.created' : i % 3 === 1 ? 'request.approved' : 'request.succeeded',
        requestId: `R-BENCH${String(i % 1000).padStart(4, '0')}`.slice(0, 10),
        targetIds: [
          '/subscriptions/1f0c0000-0000-4000-8000-000000000001/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-prod',
          '/subscriptions/1f0c0000-0000-4000-8000-000000000001/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr',
        ],
        outcome: 'pending',
        detail: 'deploy payments-api to prod',
      });
    }
    const appendMs = performance.now() - t0;
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      const verdict = await log.verify();
      times.push(performance.now() - t);
      if (!verdict.intact || verdict.count !== count) throw new Error(`verify says ${JSON.stringify(verdict)}`);
    }
    return { verify: repeated(times), appendPerSecond: count / (appendMs / 1000) };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const p7Scale: Metric = async (ctx) => {
  const pending = ctx.quick ? 1_000 : 10_000;
  const entries = ctx.quick ? 10_000 : 100_000;
  const scale = await approveAtScale(pending, ctx.quick ? 10 : 40, ctx.quick ? 1 : 3, ctx.progress);
  const audit = await auditVerify(entries, ctx.quick ? 2 : 3);
  ctx.progress(`P7 verify of ${entries} entries: ${fmt.ms(audit.verify.median)}`);
  const k = (n: number) => `${n / 1000}k`;
  const rows: Row[] = [
    {
      id: 'P7',
      what: `approve → outcome p50 with ${k(pending)} pending ÷ empty store`,
      value: fmt.ratio(scale.ratio.median),
      target: '≤ 1.2×',
      met: scale.ratio.median <= 1.2,
      detail: `${fmt.ms(scale.loaded.median)} vs ${fmt.ms(scale.empty.median)}; ratio over runs ${fmt.range(scale.ratio.min, scale.ratio.max, '×')}; the click's own answer ${fmt.ratio(scale.invokeRatio.median)}`,
    },
    {
      id: 'P7',
      what: `audit verify() over ${k(entries)} entries`,
      value: fmt.ms(audit.verify.median),
      target: '≤ 2000 ms',
      met: audit.verify.median <= 2000,
      detail: `runs ${fmt.range(audit.verify.min, audit.verify.max, ' ms')}; appends ran at ${audit.appendPerSecond.toFixed(0)}/s`,
    },
  ];
  return {
    keys: {
      p7_approve_ratio_10k: round(scale.ratio.median, 3),
      p7_approve_outcome_p50_ms_empty: round(scale.empty.median),
      p7_approve_outcome_p50_ms_10k: round(scale.loaded.median),
      p7_approve_invoke_ratio_10k: round(scale.invokeRatio.median, 3),
      p7_audit_verify_100k_ms: round(audit.verify.median, 1),
      p7_audit_appends_per_s: round(audit.appendPerSecond, 0),
    },
    rows,
    notes: [
      `P7: two in-process bots on SQLite temp files sharing one sandbox, flows alternating between them; ${pending} pending requests (plus their audit entries) inserted through the store and audit log.`,
      `P7: audit verify timed ${ctx.quick ? 2 : 3} times over ${entries} appended entries on a temp-file SqliteAuditLog (WAL).`,
    ],
  };
};

/** The entry point bench/run.ts discovers. */
export const metric = p7Scale;
