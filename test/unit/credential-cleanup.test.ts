/**
 * G14/G15: a credential clean-up retried by its job acts only on references the request's own
 * records vouch for. A stored reference naming something acrbot did not record (another grant's
 * role assignment, a token of another request, another registry) is refused and audited, never
 * deleted, and recorded refused (nothing retries it). The start gives each pending clean-up
 * without a job one.
 */
import {
  ABSENT_AFTER_MS,
  type CleanupDeps,
  cleanupPending,
  DELETION_STARTED,
  retryCleanupOf,
  scheduleCleanupsForPending,
} from '../../src/flows/credential-cleanup';
import type { JobSpec } from '../../src/flows/scheduler';
import { LeaseLostError, VersionConflictError } from '../../src/domain/ports';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { retirementPendingSentence } from '../../src/domain/secret-ownership';
import type { AccessRequest } from '../../src/domain/request';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { recordedToken, recordingTokenPorts } from './support/cleanup-fixtures';
import { FakeClock } from './support/fake-clock';
import { pendingRequest, REGISTRY_ID, secretPlan, SUB } from './support/requests';

function failedWith(id: string, refs: unknown[], created: AccessRequest['created']): AccessRequest {
  return pendingRequest({
    id,
    state: 'failed',
    plan: secretPlan(),
    created,
    outcome: { summary: 'Failed', azureRequestIds: [], cleanup: 'pending', credentialRef: JSON.stringify(refs) },
  });
}

/** A clean-up's dependencies; jobs it puts off are kept in `rescheduled`. */
function cleanupDeps(
  store: CleanupDeps['store'],
  audit: CleanupDeps['audit'],
  ports: CleanupDeps['ports'],
  clock: FakeClock,
  rescheduled: JobSpec[] = [],
): CleanupDeps {
  return {
    store,
    audit,
    ports,
    clock,
    log: createLogger({ level: 'silent' }),
    reschedule: async (job) => void rescheduled.push(job),
  };
}

/** Runs every failed request's clean-up job once; how many requests ended cleaned up. */
async function runCleanupJobs(
  store: CleanupDeps['store'],
  audit: CleanupDeps['audit'],
  ports: CleanupDeps['ports'],
  clock = new FakeClock(),
  rescheduled: JobSpec[] = [],
): Promise<number> {
  const deps = cleanupDeps(store, audit, ports, clock, rescheduled);
  let cleaned = 0;
  for (const request of await deps.store.listByState(['failed'])) {
    if (request.outcome?.cleanup !== 'pending') continue;
    await retryCleanupOf(request.id, deps);
    if ((await deps.store.get(request.id))?.outcome?.cleanup === 'deleted') cleaned++;
  }
  return cleaned;
}

describe('credential clean-up retried by its job (G14, G15)', () => {
  const deletes: string[] = [];
  const ports = {
    tokens: recordingTokenPorts(deletes),
    roleAssignments: {
      delete: async (ra: { name: string }) => {
        deletes.push(`ra:${ra.name}`);
        return {};
      },
    },
    servicePrincipals: {
      deleteApplication: async (id: string) => {
        deletes.push(`app:${id}`);
        return {};
      },
    },
  } as unknown as SecretRunnerPorts;
  const token = { kind: 'token', subscriptionId: SUB, resourceGroup: 'rg-acr', registry: 'contosoacr' };
  beforeEach(() => deletes.splice(0));

  test('a reference that does not match the records is not executed; a recorded one is', async () => {
    const store = new MemoryRequestStore();
    const audit = new MemoryAuditLog(new FakeClock());
    const recordedAt = '2025-01-15T09:00:00.000Z';
    // Its own token, recorded: deleted.
    await store.create(
      failedWith(
        'R-AAAAAAAA',
        [{ ...token, tokenName: 'acrbot-r-aaaaaaaa' }],
        [{ kind: 'acrToken', id: `${REGISTRY_ID}/tokens/acrbot-r-aaaaaaaa`, name: 'acrbot-r-aaaaaaaa', recordedAt }],
      ),
    );
    // Another request's token.
    await store.create(
      failedWith(
        'R-BBBBBBBB',
        [{ ...token, tokenName: 'acrbot-r-cccccccc' }],
        [{ kind: 'acrToken', id: `${REGISTRY_ID}/tokens/acrbot-r-bbbbbbbb`, name: 'acrbot-r-bbbbbbbb', recordedAt }],
      ),
    );
    // Its own token name, but in another registry.
    await store.create(
      failedWith('R-DDDDDDDD', [{ ...token, registry: 'otheracr', tokenName: 'acrbot-r-dddddddd' }], []),
    );
    // Someone else's role assignment (e.g. a grant to aks-prod) dressed up as an sp credential.
    await store.create(
      failedWith(
        'R-EEEEEEEE',
        [
          {
            kind: 'sp',
            applicationId: '00000000-0000-4000-8000-000000000001',
            appId: 'x',
            roleAssignment: { scope: REGISTRY_ID, name: '11111111-1111-4111-8111-111111111111', subscriptionId: SUB },
          },
        ],
        [{ kind: 'application', id: '00000000-0000-4000-8000-000000000001', name: 'acrbot-x', recordedAt }],
      ),
    );
    const cleaned = await runCleanupJobs(store, audit, ports);
    expect(cleaned).toBe(1);
    expect(deletes).toEqual(['token:acrbot-r-aaaaaaaa']);
    expect((await store.get('R-AAAAAAAA'))?.outcome?.cleanup).toBe('deleted');
    for (const id of ['R-BBBBBBBB', 'R-DDDDDDDD', 'R-EEEEEEEE']) {
      expect((await store.get(id))?.outcome?.cleanup).toBe('refused');
      expect((await audit.forRequest(id)).map((e) => e.outcome)).toEqual(['refused']);
    }
  });

  test('a stored reference list that is unreadable, empty or not ours deletes nothing and is recorded refused', async () => {
    const store = new MemoryRequestStore();
    const audit = new MemoryAuditLog(new FakeClock());
    const recordedAt = '2025-01-15T09:00:00.000Z';
    const ownToken = (id: string) => ({ ...token, tokenName: `acrbot-${id.toLowerCase()}` });
    const created = (id: string): AccessRequest['created'] => [
      {
        kind: 'acrToken',
        id: `${REGISTRY_ID}/tokens/acrbot-${id.toLowerCase()}`,
        name: `acrbot-${id.toLowerCase()}`,
        recordedAt,
      },
    ];
    const cases: Array<[string, string | undefined]> = [
      ['R-FFFFFFFF', '{not json'],
      ['R-GGGGGGGG', '[]'],
      ['R-HHHHHHHH', undefined],
      // One recorded reference beside an entry that is not a reference at all: nothing is deleted.
      ['R-JJJJJJJJ', JSON.stringify([ownToken('R-JJJJJJJJ'), { kind: 'certificate', name: 'x' }])],
    ];
    for (const [id, credentialRef] of cases) {
      const request = failedWith(id, [], created(id));
      await store.create({ ...request, outcome: { ...request.outcome!, credentialRef } });
    }
    const cleaned = await runCleanupJobs(store, audit, ports);
    expect(cleaned).toBe(0);
    expect(deletes).toEqual([]);
    for (const [id] of cases) {
      expect((await store.get(id))?.outcome?.cleanup).toBe('refused');
      const entries = await audit.forRequest(id);
      expect(entries.map((e) => e.outcome)).toEqual(['refused']);
      expect(entries[0]?.detail).toMatch(/not JSON|no credential reference|not one acrbot writes/);
    }
  });

  test('an application known only by its recorded name: deleted when found, audited absent when Graph never made it', async () => {
    const store = new MemoryRequestStore();
    const audit = new MemoryAuditLog(new FakeClock());
    const recordedAt = '2025-01-15T09:00:00.000Z';
    const byName = (id: string, uniqueName: string) =>
      failedWith(
        id,
        [{ kind: 'sp', applicationId: '', appId: '', uniqueName }],
        [{ kind: 'application', id: '', name: uniqueName, recordedAt }],
      );
    await store.create(byName('R-KKKKKKKK', 'acrbot-r-kkkkkkkk-made'));
    await store.create(byName('R-MMMMMMMM', 'acrbot-r-mmmmmmmm-never'));
    const found = new Map([['acrbot-r-kkkkkkkk-made', { id: 'app-made', appId: 'client-made' }]]);
    const lookups = {
      ...ports,
      servicePrincipals: { ...ports.servicePrincipals, findApplication: async (name: string) => found.get(name) },
    } as unknown as SecretRunnerPorts;
    const clock = new FakeClock();
    const rescheduled: JobSpec[] = [];
    expect(await runCleanupJobs(store, audit, lookups, clock, rescheduled)).toBe(1);
    expect(deletes).toEqual(['app:app-made']);
    // The mark written before its DELETE (credential.cleanup.started), then what the deletion found.
    expect((await audit.forRequest('R-KKKKKKKK')).map((e) => e.outcome)).toEqual(['started', 'deleted']);
    // Not found right after the failure: too soon to tell (Graph's replication); looked at again.
    const failedAt = Date.parse((await store.get('R-MMMMMMMM'))!.updatedAt);
    expect(rescheduled).toMatchObject([
      { id: 'cleanup.credential:R-MMMMMMMM', dueAt: new Date(failedAt + ABSENT_AFTER_MS) },
    ]);
    expect(await audit.forRequest('R-MMMMMMMM')).toEqual([]);
    clock.advance(ABSENT_AFTER_MS);
    expect(await runCleanupJobs(store, audit, lookups, clock, rescheduled)).toBe(1);
    expect(await audit.forRequest('R-MMMMMMMM')).toMatchObject([
      { outcome: 'absent', detail: expect.stringMatching(/did not create it/) },
    ]);
    for (const id of ['R-KKKKKKKK', 'R-MMMMMMMM']) expect((await store.get(id))?.outcome?.cleanup).toBe('deleted');
  });

  test('a token not found after a create Azure did not answer: its scope map deleted and audited pending, the token looked for again, then audited absent', async () => {
    const store = new MemoryRequestStore();
    const audit = new MemoryAuditLog(new FakeClock());
    const recordedAt = '2025-01-15T09:00:00.000Z';
    const name = 'acrbot-r-qqqqqqqq';
    await store.create(
      failedWith(
        'R-QQQQQQQQ',
        [{ ...token, tokenName: name, scopeMapName: name }],
        [
          { kind: 'scopeMap', id: `${REGISTRY_ID}/scopeMaps/${name}`, name, recordedAt },
          { kind: 'acrToken', id: `${REGISTRY_ID}/tokens/${name}`, name, recordedAt },
        ],
      ),
    );
    let mapThere = true;
    const registry = {
      ...ports,
      tokens: {
        ...ports.tokens,
        getToken: async () => undefined,
        getScopeMap: async () => (mapThere ? { id: name, provisioningState: 'Succeeded' } : undefined),
        deleteScopeMap: async (_r: unknown, map: string) => {
          mapThere = false;
          deletes.push(`scopeMap:${map}`);
          return {};
        },
      },
    } as unknown as SecretRunnerPorts;
    const clock = new FakeClock();
    const rescheduled: JobSpec[] = [];
    expect(await runCleanupJobs(store, audit, registry, clock, rescheduled)).toBe(0);
    expect(deletes).toEqual([`scopeMap:${name}`]);
    expect(rescheduled).toHaveLength(1);
    expect(await audit.forRequest('R-QQQQQQQQ')).toMatchObject([
      { outcome: 'pending', detail: expect.stringMatching(/deleted; the rest not found yet/) },
    ]);
    clock.advance(ABSENT_AFTER_MS);
    expect(await runCleanupJobs(store, audit, registry, clock, rescheduled)).toBe(1);
    expect((await audit.forRequest('R-QQQQQQQQ')).at(-1)).toMatchObject({
      outcome: 'absent',
      detail: expect.stringMatching(/not found on the registry/),
    });
  });

  test('a token still being created is not deleted: the job fails (retried with backoff) and the clean-up stays pending', async () => {
    const store = new MemoryRequestStore();
    const audit = new MemoryAuditLog(new FakeClock());
    const name = 'acrbot-r-ssssssss';
    const recordedAt = '2025-01-15T09:00:00.000Z';
    await store.create(
      failedWith(
        'R-SSSSSSSS',
        [{ ...token, tokenName: name }],
        [{ kind: 'acrToken', id: `${REGISTRY_ID}/tokens/${name}`, name, recordedAt }],
      ),
    );
    const creating = {
      ...ports,
      tokens: { ...ports.tokens, getToken: async () => ({ id: name, provisioningState: 'Creating' }) },
    } as unknown as SecretRunnerPorts;
    await expect(runCleanupJobs(store, audit, creating)).rejects.toMatchObject({ code: 'WriteInProgress' });
    expect(deletes).toEqual([]);
    expect((await store.get('R-SSSSSSSS'))?.outcome?.cleanup).toBe('pending');
    expect(await audit.forRequest('R-SSSSSSSS')).toEqual([]);
  });

  test('a run whose job lease was lost stops before its next deletion or audit entry', async () => {
    const store = new MemoryRequestStore();
    const audit = new MemoryAuditLog(new FakeClock());
    const recordedAt = '2025-01-15T09:00:00.000Z';
    const name = 'acrbot-r-tttttttt';
    await store.create(
      failedWith(
        'R-TTTTTTTT',
        [{ ...token, tokenName: name }],
        [{ kind: 'acrToken', id: `${REGISTRY_ID}/tokens/${name}`, name, recordedAt }],
      ),
    );
    const tokenOf = (id: string) => recordedToken(id, recordedAt);
    await store.create(
      pendingRequest({ id: 'R-BBBBBBBB', state: 'succeeded', plan: secretPlan(), created: [tokenOf('R-BBBBBBBB')] }),
    );
    await store.create(
      pendingRequest({
        id: 'R-AAAAAAAA',
        state: 'succeeded',
        plan: secretPlan(),
        created: [tokenOf('R-AAAAAAAA')],
        outcome: { summary: 'Secret replaced', azureRequestIds: [], retirement: { requestId: 'R-BBBBBBBB' } },
      }),
    );
    // Lost from the start: nothing is deleted, nothing audited, both stay pending.
    const lost = async () => {
      throw new LeaseLostError('job:cleanup.credential:R-…');
    };
    const deps = { ...cleanupDeps(store, audit, ports, new FakeClock()), checkLease: lost };
    for (const id of ['R-TTTTTTTT', 'R-AAAAAAAA'])
      await expect(retryCleanupOf(id, deps)).rejects.toBeInstanceOf(LeaseLostError);
    expect(deletes).toEqual([]);
    // Lost while the token was deleted: the holder now audits and records what it finds (the
    // mark written before the DELETE tells it the token was deleted, not never created).
    let checks = 0;
    const lostAfterOne = async () => {
      if (checks++ > 0) await lost();
    };
    await expect(retryCleanupOf('R-TTTTTTTT', { ...deps, checkLease: lostAfterOne })).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    expect(deletes).toEqual([`token:${name}`]);
    expect((await audit.forRequest('R-TTTTTTTT')).map((e) => e.action)).toEqual([DELETION_STARTED]);
    expect(await audit.forRequest('R-AAAAAAAA')).toEqual([]);
    for (const id of ['R-TTTTTTTT', 'R-AAAAAAAA']) {
      expect(cleanupPending((await store.get(id))!)).toBe(true);
    }
  });

  test('the start gives a pending clean-up without a job one, due a minute later; the job runs again after a lost write', async () => {
    const store = new MemoryRequestStore();
    const audit = new MemoryAuditLog(new FakeClock());
    const recordedAt = '2025-01-15T09:00:00.000Z';
    const own = (id: string) =>
      failedWith(
        id,
        [{ ...token, tokenName: `acrbot-${id.toLowerCase()}` }],
        [
          {
            kind: 'acrToken',
            id: `${REGISTRY_ID}/tokens/acrbot-${id.toLowerCase()}`,
            name: `acrbot-${id.toLowerCase()}`,
            recordedAt,
          },
        ],
      );
    await store.create(own('R-NNNNNNNN'));
    await store.create(own('R-PPPPPPPP'));
    const clock = new FakeClock();
    const scheduled: JobSpec[] = [];
    const jobs = {
      get: async (id: string) =>
        id === 'cleanup.credential:R-PPPPPPPP'
          ? { id, kind: 'cleanup.credential' as const, dueAt: clock.now().toISOString(), attempts: 0 }
          : undefined,
      schedule: async (job: JobSpec) => void scheduled.push(job),
    };
    expect(await scheduleCleanupsForPending(store, jobs, clock)).toBe(1);
    expect(scheduled).toEqual([
      {
        id: 'cleanup.credential:R-NNNNNNNN',
        kind: 'cleanup.credential',
        requestId: 'R-NNNNNNNN',
        dueAt: new Date(clock.now().getTime() + 60_000),
      },
    ]);
    // The request changes under the job's final write: the job fails (and runs again), not ends.
    const update = store.update.bind(store);
    store.update = async () => {
      store.update = update;
      throw new VersionConflictError('R-NNNNNNNN');
    };
    const deps = cleanupDeps(store, audit, ports, clock);
    await expect(retryCleanupOf('R-NNNNNNNN', deps)).rejects.toBeInstanceOf(VersionConflictError);
    await retryCleanupOf('R-NNNNNNNN', deps);
    expect((await store.get('R-NNNNNNNN'))?.outcome?.cleanup).toBe('deleted');
    // The second run only finished the write: one deletion, one audit entry saying so (after the
    // mark written before the DELETE).
    expect(deletes).toEqual(['token:acrbot-r-nnnnnnnn']);
    expect((await audit.forRequest('R-NNNNNNNN')).map((e) => e.outcome)).toEqual(['started', 'deleted']);
  });

  test('the start gives a rotation whose replaced credential is still to delete a job too, live or ended since', async () => {
    const store = new MemoryRequestStore();
    const recordedAt = '2025-01-15T09:00:00.000Z';
    const rotation = (id: string, state: AccessRequest['state'], retirement?: { requestId: string }) =>
      pendingRequest({
        id,
        state,
        plan: secretPlan(),
        created: [{ kind: 'acrToken', id: `${REGISTRY_ID}/tokens/acrbot-${id.toLowerCase()}`, recordedAt }],
        outcome: { summary: 'Secret replaced', azureRequestIds: [], ...(retirement && { retirement }) },
      });
    // Its job was never stored (the cards or the lifecycle failed before it was scheduled).
    await store.create(rotation('R-AAAAAAAA', 'succeeded', { requestId: 'R-BBBBBBBB' }));
    await store.create(rotation('R-CCCCCCCC', 'revoked', { requestId: 'R-DDDDDDDD' }));
    // Nothing left to retire: no job.
    await store.create(rotation('R-EEEEEEEE', 'succeeded'));
    const clock = new FakeClock();
    const scheduled: JobSpec[] = [];
    const jobs = { get: async () => undefined, schedule: async (job: JobSpec) => void scheduled.push(job) };
    expect(await scheduleCleanupsForPending(store, jobs, clock)).toBe(2);
    expect(scheduled.map((j) => j.id).sort()).toEqual([
      'cleanup.credential:R-AAAAAAAA',
      'cleanup.credential:R-CCCCCCCC',
    ]);
  });

  test('a rotation whose replaced credential was not deleted: the job deletes only what the replaced request recorded, then clears the mark', async () => {
    const store = new MemoryRequestStore();
    const audit = new MemoryAuditLog(new FakeClock());
    const recordedAt = '2025-01-15T09:00:00.000Z';
    const tokenOf = (id: string) => recordedToken(id, recordedAt);
    const rotation = (id: string, replaced: string, created: AccessRequest['created']) =>
      pendingRequest({
        id,
        state: 'succeeded',
        plan: secretPlan(),
        created,
        outcome: { summary: 'Secret replaced', azureRequestIds: [], retirement: { requestId: replaced } } as never,
      });
    // R-AAAAAAAA replaced R-BBBBBBBB, whose token is in its own records: deleted.
    await store.create(
      pendingRequest({ id: 'R-BBBBBBBB', state: 'succeeded', plan: secretPlan(), created: [tokenOf('R-BBBBBBBB')] }),
    );
    await store.create(rotation('R-AAAAAAAA', 'R-BBBBBBBB', [tokenOf('R-AAAAAAAA')]));
    // R-DDDDDDDD names a replaced request that is not in the store, R-EEEEEEEE one for another
    // registry: nothing is deleted for either.
    await store.create(rotation('R-DDDDDDDD', 'R-CCCCCCCC', [tokenOf('R-DDDDDDDD')]));
    await store.create(
      pendingRequest({
        id: 'R-FFFFFFFF',
        state: 'succeeded',
        plan: secretPlan({
          registry: {
            ...secretPlan().registry,
            name: 'otheracr',
            id: `${REGISTRY_ID.replace(/\/[^/]+$/, '')}/otheracr`,
          },
        }),
        created: [tokenOf('R-FFFFFFFF')],
      }),
    );
    await store.create(rotation('R-EEEEEEEE', 'R-FFFFFFFF', [tokenOf('R-EEEEEEEE')]));
    const deps = cleanupDeps(store, audit, ports, new FakeClock());
    for (const id of ['R-AAAAAAAA', 'R-DDDDDDDD', 'R-EEEEEEEE']) await retryCleanupOf(id, deps);
    expect(deletes).toEqual(['token:acrbot-r-bbbbbbbb']);
    expect(cleanupPending((await store.get('R-AAAAAAAA'))!)).toBe(false);
    expect((await audit.forRequest('R-AAAAAAAA')).map((e) => e.outcome)).toEqual(['started', 'deleted']);
    for (const id of ['R-DDDDDDDD', 'R-EEEEEEEE']) {
      expect((await store.get(id))?.outcome?.cleanup).toBe('refused');
      expect(cleanupPending((await store.get(id))!)).toBe(false);
      expect((await audit.forRequest(id)).map((e) => e.outcome)).toEqual(['refused']);
    }
    // Run again (the job after a lost final write): nothing more is deleted.
    await retryCleanupOf('R-AAAAAAAA', deps);
    expect(deletes).toEqual(['token:acrbot-r-bbbbbbbb']);
  });

  test('the retired credential: the stored outcome stops saying it could not be deleted, and the cards are redrawn from it', async () => {
    const store = new MemoryRequestStore();
    const audit = new MemoryAuditLog(new FakeClock());
    const recordedAt = '2025-01-15T09:00:00.000Z';
    const tokenOf = (id: string) => recordedToken(id, recordedAt);
    await store.create(
      pendingRequest({ id: 'R-BBBBBBBB', state: 'succeeded', plan: secretPlan(), created: [tokenOf('R-BBBBBBBB')] }),
    );
    const summary = `Secret payments/acr-auth replaced in aks-prod with ACR token x. ${retirementPendingSentence('R-BBBBBBBB')}`;
    await store.create(
      pendingRequest({
        id: 'R-AAAAAAAA',
        state: 'succeeded',
        plan: secretPlan(),
        created: [tokenOf('R-AAAAAAAA')],
        outcome: { summary, azureRequestIds: [], retirement: { requestId: 'R-BBBBBBBB' } },
      }),
    );
    const redrawn: AccessRequest[] = [];
    const deps: CleanupDeps = {
      ...cleanupDeps(store, audit, ports, new FakeClock()),
      outcomeChanged: async (request) => void redrawn.push(request),
    };
    // The final write is lost once: the retry, seeing the audit entry, only rewrites the outcome.
    const update = store.update.bind(store);
    store.update = async () => {
      store.update = update;
      throw new VersionConflictError('R-AAAAAAAA');
    };
    await expect(retryCleanupOf('R-AAAAAAAA', deps)).rejects.toBeInstanceOf(VersionConflictError);
    expect(redrawn).toEqual([]);
    await retryCleanupOf('R-AAAAAAAA', deps);
    expect(deletes).toEqual(['token:acrbot-r-bbbbbbbb']);
    const after = (await store.get('R-AAAAAAAA'))!;
    expect(after.outcome?.retirement).toBeUndefined();
    expect(after.outcome?.summary).toBe(
      'Secret payments/acr-auth replaced in aks-prod with ACR token x. The credential of R-BBBBBBBB, which it replaced, was deleted on a later try.',
    );
    expect(redrawn).toEqual([after]);
  });

  test('an outcome stored with the earlier wording of the retirement sentence says it was deleted too', async () => {
    const store = new MemoryRequestStore();
    const audit = new MemoryAuditLog(new FakeClock());
    const recordedAt = '2025-01-15T09:00:00.000Z';
    const token = (id: string) => ({
      kind: 'acrToken' as const,
      id: `${REGISTRY_ID}/tokens/acrbot-${id.toLowerCase()}`,
      name: `acrbot-${id.toLowerCase()}`,
      recordedAt,
    });
    await store.create(
      pendingRequest({ id: 'R-BBBBBBBB', state: 'succeeded', plan: secretPlan(), created: [token('R-BBBBBBBB')] }),
    );
    await store.create(
      pendingRequest({
        id: 'R-AAAAAAAA',
        state: 'succeeded',
        plan: secretPlan(),
        created: [token('R-AAAAAAAA')],
        outcome: {
          summary:
            'Secret replaced. The credential of R-BBBBBBBB, which it replaced, could not be deleted yet; acrbot tries again shortly.',
          azureRequestIds: [],
          retirement: { requestId: 'R-BBBBBBBB' },
        },
      }),
    );
    await retryCleanupOf('R-AAAAAAAA', cleanupDeps(store, audit, ports, new FakeClock()));
    expect((await store.get('R-AAAAAAAA'))?.outcome?.summary).toBe(
      'Secret replaced. The credential of R-BBBBBBBB, which it replaced, was deleted on a later try.',
    );
  });
});
