/**
 * P10 sweep: 100,000 active time-boxed grants in a SQLite store, 100 of them past their end. One
 * scheduler sweep (`runDue`) revokes exactly the 100 due ones; it must cost O(due) store reads
 * (the schedule's due-time index and the requests' target index, never a scan of the active
 * grants) and finish in under a second. Azure is a counting in-memory port (this measures the
 * sweep, not ARM latency); every store call is counted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GrantPlan } from '../../src/domain/plan';
import type { Clock, RequestStore, RoleAssignmentPort, ScheduleStore } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { AccessLifecycle } from '../../src/flows/access-lifecycle';
import { Scheduler } from '../../src/flows/scheduler';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { sqliteStores } from '../../src/integrations/store/open-stores';
import { createLogger } from '../../src/observability/logger';
import { fmt, type Metric } from '../lib/report-types';
import { median, round } from '../lib/stats';

const SUB = '1f0c0000-0000-4000-8000-000000000001';
const ACR_PULL = '7f951dda-4ed3-4680-a7ca-43fe172d538d';

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** A granted, time-boxed grant on its own cluster (so overlaps do not hide work). */
function grant(i: number, endsAt: Date, grantedAt: Date): AccessRequest {
  const registryId = `/subscriptions/${SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr`;
  const principal = `00000000-0000-4000-8000-${hex(i, 12)}`;
  const name = `10000000-0000-4000-8000-${hex(i, 12)}`;
  const plan: GrantPlan = {
    kind: 'grant',
    cluster: {
      id: `/subscriptions/${SUB}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-${i}`,
      name: `aks-${i}`,
      subscriptionId: SUB,
      resourceGroup: 'rg-aks',
    },
    registry: {
      id: registryId,
      name: 'contosoacr',
      subscriptionId: SUB,
      resourceGroup: 'rg-acr',
      loginServer: 'contosoacr.azurecr.io',
      roleAssignmentMode: 'LegacyRegistryPermissions',
    },
    identity: { kind: 'kubelet', objectId: principal, description: 'kubelet identity' },
    role: { id: ACR_PULL, name: 'AcrPull' },
    scope: registryId,
    roleAssignmentName: name,
    operations: [],
  };
  return {
    id: `R-${hex(i, 8).toUpperCase()}`,
    version: 4,
    state: 'succeeded',
    tenantId: 't',
    requester: { objectId: 'u', name: 'bench' },
    reason: 'bench',
    plan,
    createdAt: grantedAt.toISOString(),
    updatedAt: grantedAt.toISOString(),
    expiresAt: grantedAt.toISOString(),
    origin: { conversationId: 'c', conversationType: 'channel' },
    sandbox: true,
    access: { durationMs: endsAt.getTime() - grantedAt.getTime(), expiresAt: endsAt.toISOString() },
    created: [
      {
        kind: 'roleAssignment',
        id: `${registryId}/providers/Microsoft.Authorization/roleAssignments/${name}`,
        name,
        recordedAt: grantedAt.toISOString(),
      },
    ],
    outcome: { summary: 'granted', azureRequestIds: [], createdIds: [name] },
  };
}

/** Counts every call to the wrapped object's methods. */
function counted<T extends object>(target: T, counts: Map<string, number>, prefix: string): T {
  return new Proxy(target, {
    get(obj, key, receiver) {
      const value = Reflect.get(obj, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const k = `${prefix}.${String(key)}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(obj, args);
      };
    },
  });
}

export const p10Sweep: Metric = async (ctx) => {
  const active = ctx.quick ? 10_000 : 100_000;
  const dueCount = 100;
  const runs = ctx.quick ? 1 : 3;
  const timings: number[] = [];
  let readsPerDue = 0;
  let revokedAll = true;
  for (let run = 0; run < runs; run++) {
    const dir = mkdtempSync(join(tmpdir(), 'acrbot-bench-p10-'));
    let now = new Date('2026-11-30T10:00:00Z');
    const clock: Clock = { now: () => now };
    const stores = sqliteStores(join(dir, 'p10.db'), clock);
    try {
      ctx.progress(`P10 run ${run + 1}/${runs}: seeding ${active} active grants (${dueCount} due)`);
      const granted = new Date(now.getTime() - 3_600_000);
      // One transaction for the seed: the SQLite commit group runs the awaited writes inside it.
      const db = (stores.requests as unknown as { db: { exec(sql: string): void } }).db;
      const requests: AccessRequest[] = [];
      for (let i = 0; i < active; i++) {
        // The first `dueCount` end a minute ago; the rest in 30 days.
        const end = i < dueCount ? new Date(now.getTime() - 60_000) : new Date(now.getTime() + 30 * 86_400_000);
        requests.push(grant(i, end, granted));
      }
      db.exec('BEGIN');
      for (const r of requests) {
        await stores.requests.create(r);
        await stores.schedule.put({
          id: `access.expire:${r.id}`,
          kind: 'access.expire',
          dueAt: r.access!.expiresAt!,
          requestId: r.id,
          attempts: 0,
        });
      }
      db.exec('COMMIT');
      const assignments = new Map(
        requests.slice(0, dueCount).map((r) => {
          const p = r.plan as GrantPlan;
          return [p.identity.objectId, p];
        }),
      );
      let deletes = 0;
      const roleAssignments: RoleAssignmentPort = {
        listForPrincipal: async (_scope, principalId) => {
          const p = assignments.get(principalId);
          return p
            ? [
                {
                  id: `${p.scope}/providers/Microsoft.Authorization/roleAssignments/${p.roleAssignmentName}`,
                  name: p.roleAssignmentName,
                  scope: p.scope,
                  roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL}`,
                  principalId,
                },
              ]
            : [];
        },
        create: async () => ({ id: 'x' }),
        canAssignRoles: async () => true,
        delete: async () => {
          deletes++;
          return {};
        },
        scopeExists: async () => true,
      };
      const counts = new Map<string, number>();
      const requestStore = counted<RequestStore>(stores.requests, counts, 'requests');
      const schedule = counted<ScheduleStore>(stores.schedule, counts, 'schedule');
      const log = createLogger({ level: 'silent' });
      const silent = {
        requestChanged: async () => undefined,
        tellRequester: async () => undefined,
        reportToApprovers: async () => undefined,
      };
      const scheduler = new Scheduler(schedule, stores.leases, clock, log, {
        instanceId: 'bench',
        sweepIntervalMs: 0,
        leaseTtlMs: 60_000,
        batchSize: 1000,
      });
      const lifecycle = new AccessLifecycle(
        requestStore,
        stores.audit,
        clock,
        scheduler,
        { roleAssignments } as unknown as SecretRunnerPorts,
        silent,
        silent,
        log,
        { remindersMs: [] },
      );
      scheduler.register('access.expire', (job) => lifecycle.onExpire(job));
      now = new Date(now.getTime() + 1000);
      const t0 = performance.now();
      const ran = await scheduler.runDue();
      timings.push(performance.now() - t0);
      const revoked = (await stores.requests.listByState(['revoked'], dueCount + 10)).length;
      revokedAll &&= ran === dueCount && revoked === dueCount && deletes === dueCount;
      const reads = [...counts.entries()]
        .filter(([k]) => /\.(get|due|listByTarget|listByState|forRequest)$/.test(k))
        .reduce((sum, [, n]) => sum + n, 0);
      readsPerDue = reads / dueCount;
      ctx.progress(
        `P10 run ${run + 1}: ${ran} jobs in ${timings[timings.length - 1].toFixed(0)} ms, ${reads} store reads`,
      );
    } finally {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const ms = median(timings);
  return {
    keys: { p10_sweep_ms: round(ms), p10_reads_per_due: round(readsPerDue) },
    rows: [
      {
        id: 'P10',
        what: `sweep: ${active.toLocaleString('en')} active grants, ${dueCount} due → revoked`,
        value: fmt.ms(ms),
        target: '< 1000 ms, O(due) reads',
        met: ms < 1000 && revokedAll && readsPerDue <= 10,
        detail: `${runs} run(s), ${fmt.range(Math.min(...timings), Math.max(...timings), ' ms')}; ${readsPerDue.toFixed(1)} store reads per due grant; ${revokedAll ? 'exactly the due ones revoked' : 'WRONG set revoked'}`,
      },
    ],
    notes: [
      `P10 seeds ${active.toLocaleString('en')} succeeded, time-boxed grants (each with its access.expire job) in one SQLite file, ${dueCount} past their end, and times one Scheduler.runDue() with the real AccessLifecycle against a counting in-memory role-assignment port; store reads are counted per call (schedule due/get, request get/listByTarget) and must stay constant per due grant.`,
    ],
  };
};

/** The entry point bench/run.ts discovers. */
export const metric = p10Sweep;
