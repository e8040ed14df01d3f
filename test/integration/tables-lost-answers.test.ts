/**
 * Writes whose answer is lost on Azure Tables. The service can apply a write and still answer
 * 500 OperationTimedOut (or the connection drops after it applied it); the SDK's retry policy
 * then sends the same write again, and the service refuses it (409/412/404) because of the
 * first one. Each store must read that as its own write, not as another instance's: no
 * "someone else decided", no audit entry written twice, no first message taken for a redelivery.
 * Real SDK pipelines against Azurite; only the first answer is replaced, after the service
 * answered it and before the retry policy sees it.
 */
import type { TableClient } from '@azure/data-tables';
import { createHttpHeaders, type PipelineResponse, RestError } from '@azure/core-rest-pipeline';
import { transition } from '../../src/domain/request';
import { findEntity, openTablesAccount } from '../../src/integrations/store/tables-client';
import { TablesAuditLog } from '../../src/integrations/store/tables-audit-log';
import {
  TablesAbuseLedger,
  TablesLeaseStore,
  TablesScheduleStore,
} from '../../src/integrations/store/tables-coordination';
import { TablesPauseStore } from '../../src/integrations/store/tables-pause-store';
import { TablesRequestStore } from '../../src/integrations/store/tables-request-store';
import { useAzurite } from '../helpers/azurite';
import { FakeClock } from '../unit/support/fake-clock';
import { APPROVER, auditEvent, pendingRequest } from '../unit/support/requests';

jest.setTimeout(60_000);

const world = useAzurite();
const AT = new Date('2025-01-15T10:00:00.000Z');
let policies = 0;

/**
 * The next `method` request reaches the service and is applied; its answer is replaced by a
 * 500 OperationTimedOut, which the retry policy retries. `meanwhile` runs before that answer is
 * returned (another instance writing in between). Returns the statuses the service gave.
 */
function loseNextAnswer(table: TableClient, method: string, meanwhile?: () => Promise<unknown>): number[] {
  const statuses: number[] = [];
  let lost = false;
  table.pipeline.addPolicy(
    {
      name: `lose-next-answer-${++policies}`,
      sendRequest: async (request, next): Promise<PipelineResponse> => {
        const response = await next(request);
        statuses.push(response.status);
        if (lost || request.method !== method) return response;
        lost = true;
        await meanwhile?.();
        return {
          request,
          status: 500,
          headers: createHttpHeaders({ 'x-ms-error-code': 'OperationTimedOut' }),
          bodyAsText:
            '{"odata.error":{"code":"OperationTimedOut","message":{"value":"Operation could not be completed within the specified time."}}}',
        };
      },
    },
    { afterPhase: 'Retry' },
  );
  return statuses;
}

async function table(name: string, prefix = world.azurite.freshPrefix()): Promise<TableClient> {
  return openTablesAccount(world.conn(), prefix).table(name);
}

describe('Azure Tables: a write whose answer was lost is the store’s own', () => {
  test('a request transition applied before its answer was lost succeeds, and the next one follows it', async () => {
    const requests = await table('requests');
    const store = new TablesRequestStore(requests);
    const request = pendingRequest();
    await store.create(request);
    const statuses = loseNextAnswer(requests, 'POST');
    const approved = transition(request, { type: 'approve', by: APPROVER, at: AT });
    await expect(store.update(approved)).resolves.toBeUndefined();
    // The service applied it, then refused the retry because of it.
    expect(statuses.slice(0, 2)).toEqual([202, 202]);
    expect((await store.get(request.id))?.state).toBe('approved');
    const started = transition(approved, { type: 'start', at: AT });
    await store.update(started);
    expect((await store.get(request.id))?.state).toBe('executing');
  });

  test('two instances writing the very same transition (one click, one millisecond): one wins, the other is told it lost', async () => {
    const prefix = world.azurite.freshPrefix();
    const [a, b] = [
      new TablesRequestStore(await table('requests', prefix)),
      new TablesRequestStore(await table('requests', prefix)),
    ];
    const request = pendingRequest();
    await a.create(request);
    await b.get(request.id);
    // Equal documents: the same approver, the same time. Only one write may say it was its own.
    const approved = transition(request, { type: 'approve', by: APPROVER, at: AT });
    const results = await Promise.allSettled([a.update(approved), b.update({ ...approved })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({
      reason: expect.objectContaining({ name: 'VersionConflictError' }),
    });
  });

  test('a transition whose answer was lost is ours also when another instance moved the request on before the resend', async () => {
    const prefix = world.azurite.freshPrefix();
    const requests = await table('requests', prefix);
    const store = new TablesRequestStore(requests);
    const other = new TablesRequestStore(await table('requests', prefix));
    const request = pendingRequest();
    await store.create(request);
    const approved = transition(request, { type: 'approve', by: APPROVER, at: AT });
    // Applied; before its answer comes back another instance reads the approval and starts it,
    // so the resend is refused (412) by a row that is no longer this write's.
    loseNextAnswer(requests, 'POST', async () => {
      const seen = await other.get(request.id);
      await other.update(transition(seen!, { type: 'start', at: AT }));
    });
    await expect(store.update(approved)).resolves.toBeUndefined();
    expect((await store.get(request.id))?.state).toBe('executing');
    // A stale write is still refused.
    await expect(store.update({ ...approved, reason: 'again' })).rejects.toMatchObject({
      name: 'VersionConflictError',
    });
  });

  test('a request created before its answer was lost is created, not "already exists"', async () => {
    const requests = await table('requests');
    const store = new TablesRequestStore(requests);
    loseNextAnswer(requests, 'POST');
    const request = pendingRequest();
    await expect(store.create(request)).resolves.toBeUndefined();
    expect(await store.get(request.id)).toEqual(request);
  });

  test('an audit append applied before its answer was lost is one entry, also when another instance appended after it', async () => {
    const prefix = world.azurite.freshPrefix();
    const audit = await table('audit', prefix);
    const log = new TablesAuditLog(audit, new FakeClock());
    const other = new TablesAuditLog(await table('audit', prefix), new FakeClock());
    await log.append(auditEvent(1, { action: 'first' }));
    loseNextAnswer(audit, 'POST');
    await log.append(auditEvent(2, { action: 'second' }));
    loseNextAnswer(audit, 'POST', () => other.append(auditEvent(3, { action: 'other instance' })));
    await log.append(auditEvent(4, { action: 'third' }));
    expect((await log.latest(10)).map((e) => `${e.seq}:${e.action}`)).toEqual([
      '1:first',
      '2:second',
      '3:third',
      '4:other instance',
    ]);
    await expect(log.verify()).resolves.toEqual({ intact: true, count: 4 });
  });

  test('two instances appending the very same event on one head in one millisecond: both are stored, one after the other', async () => {
    const prefix = world.azurite.freshPrefix();
    const [tableA, tableB] = [await table('audit', prefix), await table('audit', prefix)];
    const a = new TablesAuditLog(tableA, new FakeClock());
    const b = new TablesAuditLog(tableB, new FakeClock());
    await new TablesAuditLog(await table('audit', prefix), new FakeClock()).append(auditEvent(1, { action: 'first' }));
    // Two real events with equal content (one user's double click refused on two instances): the
    // same entry, hash and all, on the same head. a's transaction waits until b has read that
    // head, so b's is refused (412) by a's, whose entry is b's to the last byte.
    let headReadByB!: () => void;
    const bRead = new Promise<void>((resolve) => (headReadByB = resolve));
    tableB.pipeline.addPolicy({
      name: `head-read-${++policies}`,
      sendRequest: async (request, next) => {
        const response = await next(request);
        if (request.method === 'GET' && request.url.includes("RowKey='head'")) headReadByB();
        return response;
      },
    });
    tableA.pipeline.addPolicy({
      name: `after-b-read-${++policies}`,
      sendRequest: async (request, next) => {
        if (request.method === 'POST') await bRead;
        return next(request);
      },
    });
    const event = auditEvent(2, { action: 'decision.refused', detail: 'someone else must approve' });
    const [fromA, fromB] = await Promise.all([a.append(event), b.append({ ...event })]);
    // Each append stored its own entry: neither may take the other's for its own.
    expect([fromA.seq, fromB.seq].sort()).toEqual([2, 3]);
    expect((await a.latest(10)).map((e) => `${e.seq}:${e.action}`)).toEqual([
      '1:first',
      '2:decision.refused',
      '3:decision.refused',
    ]);
    await expect(a.verify()).resolves.toEqual({ intact: true, count: 3 });
  });

  test('a first sighting whose answer was lost is still the first; the next one is a redelivery', async () => {
    const abuse = await table('abuse');
    const ledger = new TablesAbuseLedger(abuse);
    loseNextAnswer(abuse, 'POST');
    await expect(ledger.firstSighting('activity-1', AT, 86_400_000)).resolves.toBe(true);
    await expect(ledger.firstSighting('activity-1', AT, 86_400_000)).resolves.toBe(false);
  });

  test('a rate-window hit whose answer was lost counts once, created or incremented, also with another instance hitting in between', async () => {
    const prefix = world.azurite.freshPrefix();
    const abuse = await table('abuse', prefix);
    const ledger = new TablesAbuseLedger(abuse);
    const other = new TablesAbuseLedger(await table('abuse', prefix));
    loseNextAnswer(abuse, 'POST');
    await expect(ledger.hit('rate:user-1', AT, 60_000)).resolves.toBe(1);
    await expect(ledger.hit('rate:user-1', AT, 60_000)).resolves.toBe(2);
    loseNextAnswer(abuse, 'PUT', () => expect(other.hit('rate:user-1', AT, 60_000)).resolves.toBe(4));
    await expect(ledger.hit('rate:user-1', AT, 60_000)).resolves.toBe(3);
    await expect(ledger.hit('rate:user-1', AT, 60_000)).resolves.toBe(5);
  });

  test('a lease take-over whose answer was lost is acquired, with the fence it wrote', async () => {
    const prefix = world.azurite.freshPrefix();
    let now = AT.getTime();
    const leases = await table('leases', prefix);
    const previous = new TablesLeaseStore(await table('leases', prefix), () => new Date(now));
    const store = new TablesLeaseStore(leases, () => new Date(now));
    await previous.acquire('exec:R-1', 'previous-holder', 1_000);
    now += 5_000;
    // A key this instance never wrote: its create is refused (409), it reads the expired lease and
    // replaces it under the ETag read; that replace is applied and its answer lost (the resend: 412).
    const statuses = loseNextAnswer(leases, 'PUT');
    await expect(store.acquire('exec:R-1', 'me', 60_000)).resolves.toMatchObject({ owner: 'me', fence: 2 });
    expect(statuses.slice(0, 3)).toEqual([409, 200, 204]);
    await expect(store.holder('exec:R-1')).resolves.toMatchObject({ owner: 'me', fence: 2 });
  });

  test('a job written or deleted under its revision whose answer was lost reports it done; the delete leaves no marker', async () => {
    const schedule = await table('schedule');
    const store = new TablesScheduleStore(schedule);
    const job = {
      id: 'access.expire:R-1',
      kind: 'access.expire' as const,
      dueAt: AT.toISOString(),
      requestId: 'R-1',
      attempts: 0,
    };
    await store.put(job);
    const read = (await store.get(job.id))!;
    loseNextAnswer(schedule, 'POST');
    await expect(store.putIfUnchanged({ ...read, attempts: 1, lastError: 'boom' }, read.revision!)).resolves.toBe(true);
    const failed = (await store.get(job.id))!;
    expect(failed).toMatchObject({ attempts: 1, lastError: 'boom' });
    loseNextAnswer(schedule, 'POST');
    await expect(store.deleteIfUnchanged(job.id, failed.revision!)).resolves.toBe(true);
    await expect(store.get(job.id)).resolves.toBeUndefined();
    await expect(findEntity(schedule, 'schedule', `j|${job.id}`)).resolves.toBeUndefined();
    await expect(store.forRequest('R-1')).resolves.toEqual([]);
  });

  test('a pause and a resume whose answers were lost are their own: applied, lifted, each said once', async () => {
    const prefix = world.azurite.freshPrefix();
    const store = new TablesPauseStore(await table('pause', prefix));
    const other = new TablesPauseStore(await table('pause', prefix));
    const pause = {
      since: AT.toISOString(),
      by: { objectId: APPROVER.objectId, name: APPROVER.name },
      reason: 'incident 42',
    };
    const table1 = await table('pause', prefix);
    const lossy = new TablesPauseStore(table1);
    const created = loseNextAnswer(table1, 'POST');
    await expect(lossy.pause(pause)).resolves.toEqual({ applied: true, pause });
    // The create was applied (204), then its resend refused because of it (409).
    expect(created.slice(1, 3)).toEqual([204, 409]);
    // Another instance asking now is told it was not its pause.
    await expect(other.pause({ ...pause, reason: 'another' })).resolves.toEqual({ applied: false, pause });
    const lifted = loseNextAnswer(table1, 'PUT');
    await expect(lossy.resume(pause)).resolves.toEqual(pause);
    expect(lifted.slice(1, 3)).toEqual([204, 412]);
    await expect(store.current()).resolves.toBeUndefined();
    await expect(other.resume()).resolves.toBeUndefined();
    // Paused again over the lifted entity (a replace), its answer lost too.
    const again = { ...pause, since: new Date(AT.getTime() + 60_000).toISOString() };
    const replaced = loseNextAnswer(table1, 'PUT');
    await expect(lossy.pause(again)).resolves.toEqual({ applied: true, pause: again });
    expect(replaced.slice(1, 3)).toEqual([204, 412]);
    await expect(store.current()).resolves.toEqual(again);
  });

  test('a pause write that failed after the service applied it (no resend) is still ours; one that failed before is a failure', async () => {
    const client = await table('pause');
    const store = new TablesPauseStore(client);
    const pause = {
      since: AT.toISOString(),
      by: { objectId: APPROVER.objectId, name: APPROVER.name },
      reason: 'incident 42',
    };
    await store.pause(pause);
    // Outside the retry policy: the SDK saw 204 and finished; the caller sees a 503 that nothing resends.
    let fail: 'after' | 'before' | undefined = 'after';
    client.pipeline.addPolicy({
      name: 'fail-the-caller',
      sendRequest: async (request, next) => {
        if (request.method !== 'PUT' || !fail) return next(request);
        const when = fail;
        fail = undefined;
        const response = when === 'after' ? await next(request) : undefined;
        throw new RestError('Service Unavailable', { statusCode: 503, request, response });
      },
    });
    await expect(store.resume(pause)).resolves.toEqual(pause);
    await expect(store.current()).resolves.toBeUndefined();
    await store.pause(pause);
    fail = 'before';
    await expect(store.resume(pause)).rejects.toMatchObject({ statusCode: 503 });
    await expect(store.current()).resolves.toEqual(pause);
  });

  test('a pause write that failed, and whose read-back failed too: both errors reach the caller, the write’s first', async () => {
    const client = await table('pause');
    const store = new TablesPauseStore(client);
    const pause = {
      since: AT.toISOString(),
      by: { objectId: APPROVER.objectId, name: APPROVER.name },
      reason: 'incident 42',
    };
    await store.pause(pause);
    // Outside the retry policy: the caller sees the PUT's 503, then the read-back's 502.
    let step: 'put' | 'get' | 'done' = 'put';
    client.pipeline.addPolicy({
      name: `fail-write-then-read-${++policies}`,
      sendRequest: async (request, next) => {
        if (step === 'put' && request.method === 'PUT') {
          step = 'get';
          throw new RestError('Service Unavailable', { statusCode: 503, request });
        }
        if (step === 'get' && request.method === 'GET') {
          step = 'done';
          throw new RestError('Bad Gateway', { statusCode: 502, request });
        }
        return next(request);
      },
    });
    const failure = await store.resume(pause).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).message).toBe(
      'the pause of new access was written or not: reading it back failed',
    );
    expect((failure as AggregateError).errors.map((e: { statusCode?: number }) => e.statusCode)).toEqual([503, 502]);
  });
});

describe('Azure Tables: audit appends under an idempotency key', () => {
  /**
   * The next batch (POST) fails for the caller with a 503 that nothing resends (outside the
   * retry policy): `after` the service applied it, or `before` it reached the service.
   */
  function failNextBatch(client: TableClient, when: 'after' | 'before'): void {
    let armed = true;
    client.pipeline.addPolicy({
      name: `fail-next-batch-${++policies}`,
      sendRequest: async (request, next) => {
        if (request.method !== 'POST' || !armed) return next(request);
        armed = false;
        const response = when === 'after' ? await next(request) : undefined;
        throw new RestError('Service Unavailable', { statusCode: 503, request, response });
      },
    });
  }

  test('an append that failed after the service stored it (a 503 on the last try) is the stored entry, keyed or not', async () => {
    const audit = await table('audit');
    const log = new TablesAuditLog(audit, new FakeClock());
    await log.append(auditEvent(1, { action: 'first' }));
    failNextBatch(audit, 'after');
    const keyed = await log.append(auditEvent(2, { action: 'keyed', idempotencyKey: 'audit.retry:k-1' }));
    expect(keyed).toMatchObject({ seq: 2, idempotencyKey: 'audit.retry:k-1' });
    failNextBatch(audit, 'after');
    await expect(log.append(auditEvent(3, { action: 'unkeyed' }))).resolves.toMatchObject({ seq: 3 });
    // The retry a caller would still make (a job run again) finds the key: nothing appended twice.
    await expect(log.append(auditEvent(2, { action: 'keyed', idempotencyKey: 'audit.retry:k-1' }))).resolves.toEqual(
      keyed,
    );
    expect((await log.latest(10)).map((e) => `${e.seq}:${e.action}`)).toEqual(['1:first', '2:keyed', '3:unkeyed']);
    await expect(log.verify()).resolves.toEqual({ intact: true, count: 3 });
  });

  test('an append that failed before the service got it is a failure; its retry under the key appends it once', async () => {
    const audit = await table('audit');
    const log = new TablesAuditLog(audit, new FakeClock());
    await log.append(auditEvent(1));
    failNextBatch(audit, 'before');
    const event = auditEvent(2, { action: 'request.succeeded', idempotencyKey: 'audit.retry:k-2' });
    await expect(log.append(event)).rejects.toThrow('the audit entry could not be written');
    expect(await log.latest(10)).toHaveLength(1);
    const written = await log.append(event);
    await expect(log.append(event)).resolves.toEqual(written);
    expect((await log.latest(10)).map((e) => e.seq)).toEqual([1, 2]);
  });

  test('another instance appending under a key already written (a retry job run again there) gets the stored entry; the appends queued with it are written', async () => {
    const prefix = world.azurite.freshPrefix();
    const log = new TablesAuditLog(await table('audit', prefix), new FakeClock());
    const other = new TablesAuditLog(await table('audit', prefix), new FakeClock());
    const first = await log.append(auditEvent(1, { idempotencyKey: 'audit.retry:k-3' }));
    // One transaction on `other`: its key row create fails the whole of it (409), the rest go again.
    const results = await Promise.all([
      other.append(auditEvent(2)),
      other.append(auditEvent(1, { idempotencyKey: 'audit.retry:k-3' })),
      other.append(auditEvent(3, { idempotencyKey: 'audit.retry:k-4' })),
      other.append(auditEvent(1, { idempotencyKey: 'audit.retry:k-3' })),
    ]);
    expect(results[1]).toEqual(first);
    expect(results[3]).toEqual(first);
    expect([results[0].seq, results[2].seq].sort()).toEqual([2, 3]);
    expect((await log.latest(10)).map((e) => e.idempotencyKey)).toEqual([
      'audit.retry:k-3',
      undefined,
      'audit.retry:k-4',
    ]);
    await expect(log.verify()).resolves.toEqual({ intact: true, count: 3 });
  });

  test('a key row naming an entry that does not carry the key (written by hand) makes the append fail, not pass as done', async () => {
    const audit = await table('audit');
    const log = new TablesAuditLog(audit, new FakeClock());
    await log.append(auditEvent(1));
    await audit.createEntity({ partitionKey: 'audit', rowKey: 'k|audit.retry:k-5', seq: 1 });
    await expect(log.append(auditEvent(2, { idempotencyKey: 'audit.retry:k-5' }))).rejects.toThrow(
      /index names an entry for this idempotency key that does not carry it/,
    );
    expect(await log.latest(10)).toHaveLength(1);
  });
});
