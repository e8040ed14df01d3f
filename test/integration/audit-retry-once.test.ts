/**
 * An audit entry written after an Azure change goes in once, however many attempts it takes
 * (G11): the executor's first attempt and the `audit.retry` job share one idempotency key, so a
 * first attempt that was stored but reported failed, or a job run again after its append was
 * stored (its delete failed), finds the entry instead of appending it a second time.
 */
import type { AuditEvent } from '../../src/domain/audit-chain';
import type { AuditLog } from '../../src/domain/ports';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { type Harness, startHarness, users } from '../helpers/harness';

/**
 * A real SQLite audit log whose `request.succeeded` appends fail `failures` times: `before`
 * the entry is stored (the store was unreachable) or `after` (stored, but the answer was lost).
 */
function flakyAudit(failures: number, when: 'before' | 'after'): { audit: AuditLog; close(): void } {
  const db = openSqlite(':memory:');
  const log = new SqliteAuditLog(db, { now: () => new Date() });
  const audit: AuditLog = {
    append: async (event: AuditEvent) => {
      if (event.action !== 'request.succeeded' || failures <= 0) return log.append(event);
      failures--;
      if (when === 'after') await log.append(event);
      throw new Error('audit store unavailable');
    },
    latest: (n) => log.latest(n),
    forRequest: (id) => log.forRequest(id),
    verify: () => log.verify(),
    entryAt: (seq) => log.entryAt(seq),
  };
  return { audit, close: () => db.close() };
}

/** Makes the schedule store's delete of `audit.retry` jobs fail `times` times (the job stays, due). */
function failRetryJobDeletes(h: Harness, times: number): void {
  const schedule = h.app.stores.schedule;
  // The scheduler deletes a job it ran conditionally on its revision; either delete may be the one.
  const remove = schedule.delete.bind(schedule);
  const removeIfUnchanged = schedule.deleteIfUnchanged.bind(schedule);
  const failing = (id: string) => id.startsWith('audit.retry:') && times-- > 0;
  schedule.delete = async (id) => {
    if (failing(id)) throw new Error('schedule store unavailable');
    return remove(id);
  };
  schedule.deleteIfUnchanged = async (id, revision) => {
    if (failing(id)) throw new Error('schedule store unavailable');
    return removeIfUnchanged(id, revision);
  };
}

/** The scheduler logged that the job ran but could not be removed (it runs again at the next sweep). */
const deleteFailedLogged = (h: Harness, jobId: string) =>
  h.logs
    .entries()
    .some(
      (e) =>
        e.jobId === jobId && e.msg === 'scheduled job done, but removing it failed; it runs again at the next sweep',
    );

const retryJobs = async (h: Harness, requestId: string) =>
  (await h.app.stores.schedule.forRequest(requestId)).filter((j) => j.kind === 'audit.retry');

async function grantSettled(h: Harness): Promise<string> {
  const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
  await h.click(users.approver, 'approve', { requestId: request.id });
  expect((await h.settle(request.id)).state).toBe('succeeded');
  return request.id;
}

const succeeded = async (audit: AuditLog, requestId: string) =>
  (await audit.forRequest(requestId)).filter((e) => e.action === 'request.succeeded');

describe('an audit entry retried after an Azure change is written once', () => {
  let h: Harness | undefined;
  let store: { audit: AuditLog; close(): void } | undefined;
  afterEach(async () => {
    await h?.stop();
    store?.close();
    h = undefined;
    store = undefined;
  });

  test('an audit.retry job run again because its delete failed after the append appends nothing more', async () => {
    store = flakyAudit(1, 'before');
    h = await startHarness({}, { stores: { audit: store.audit } });
    const requestId = await grantSettled(h);
    const [job] = await retryJobs(h, requestId);
    expect(job.id).toBe(`audit.retry:${(job.payload?.event as AuditEvent).idempotencyKey}`);
    failRetryJobDeletes(h, 1);
    await h.app.scheduler.runDue();
    expect(deleteFailedLogged(h, job.id)).toBe(true);
    expect(await succeeded(store.audit, requestId)).toHaveLength(1);
    // Still there and due: it runs again, finds its entry, and is deleted this time.
    expect(await retryJobs(h, requestId)).toHaveLength(1);
    await h.app.scheduler.runDue();
    expect(await succeeded(store.audit, requestId)).toHaveLength(1);
    expect(await retryJobs(h, requestId)).toEqual([]);
    await expect(store.audit.verify()).resolves.toMatchObject({ intact: true });
  });

  test('a first attempt stored but reported failed: the retry job finds it under the same key', async () => {
    store = flakyAudit(1, 'after');
    h = await startHarness({}, { stores: { audit: store.audit } });
    const requestId = await grantSettled(h);
    const [stored] = await succeeded(store.audit, requestId);
    const [job] = await retryJobs(h, requestId);
    await h.app.scheduler.runDue();
    expect(await succeeded(store.audit, requestId)).toEqual([stored]);
    expect(await retryJobs(h, requestId)).toEqual([]);
    expect((job.payload?.event as AuditEvent).idempotencyKey).toBe(stored.idempotencyKey);
  });

  test('a job stored before events carried a key is keyed by its id: run again after its append, it appends nothing more', async () => {
    store = flakyAudit(0, 'before');
    h = await startHarness({}, { stores: { audit: store.audit } });
    const requestId = await grantSettled(h);
    const event: AuditEvent = {
      actor: { objectId: 'acrbot', name: 'acrbot' },
      tenantId: (await h.app.store.get(requestId))!.tenantId,
      action: 'request.succeeded',
      requestId,
      targetIds: ['cluster', 'registry'],
      outcome: 'succeeded',
      detail: 'from an older version',
    };
    await h.app.stores.schedule.put({
      id: 'audit.retry:0b6c3d1e-older-job',
      kind: 'audit.retry',
      dueAt: new Date(0).toISOString(),
      attempts: 0,
      requestId,
      payload: { event },
    });
    failRetryJobDeletes(h, 1);
    await h.app.scheduler.runDue();
    expect(deleteFailedLogged(h, 'audit.retry:0b6c3d1e-older-job')).toBe(true);
    await h.app.scheduler.runDue();
    const written = (await succeeded(store.audit, requestId)).filter((e) => e.detail === 'from an older version');
    expect(written).toMatchObject([{ idempotencyKey: 'audit.retry:0b6c3d1e-older-job' }]);
    expect(await retryJobs(h, requestId)).toEqual([]);
  });
});
