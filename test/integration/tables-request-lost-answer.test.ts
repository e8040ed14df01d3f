/**
 * Request writes on Azure Tables that fail for the caller after the SDK's retries with no
 * refusal in the answer (a 503 or 500 on the last try, a reset, a timeout): the service may have
 * applied the write all the same. The store reads the row back and tells its own write by the
 * write id in it; when it cannot, the decision and expiry flows undo a transition that landed
 * unseen, so none stands without its audit entry (G11). Real SDK pipelines against Azurite; the
 * failures are thrown outside the retry policy, so nothing resends them.
 */
import type { TableClient } from '@azure/data-tables';
import { RestError } from '@azure/core-rest-pipeline';
import { transition } from '../../src/domain/request';
import { RequestService } from '../../src/flows/request-service';
import { requestExpiryJobId } from '../../src/flows/request-jobs';
import { Scheduler } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import type { FlowSettings } from '../../src/flows/settings';
import { MemoryAuditLog } from '../../src/integrations/store/memory-stores';
import { openTablesAccount } from '../../src/integrations/store/tables-client';
import { TablesRequestStore } from '../../src/integrations/store/tables-request-store';
import { createLogger } from '../../src/observability/logger';
import { useAzurite } from '../helpers/azurite';
import { FakeClock, HOUR } from '../unit/support/fake-clock';
import { fakeDirectory } from '../unit/support/fake-directory';
import { APPROVER, grantPlan, OUTSIDER, pendingRequest, REQUESTER } from '../unit/support/requests';

jest.setTimeout(60_000);

const world = useAzurite();
const AT = new Date('2025-01-15T10:00:00.000Z');
const TENANT = '5b1e2c3d-0000-4000-8000-00000000a0a0';
let policies = 0;

/**
 * One failure for the caller: the next `method` request is sent to the service (`after`) or not
 * (`before`), then fails with `status` (none: a connection reset). `meanwhile` runs first.
 */
interface Failure {
  method: 'GET' | 'POST' | 'PUT';
  when: 'after' | 'before';
  status?: number;
  meanwhile?: () => Promise<unknown>;
  /** How many `method` requests to let through before this one fails (none by default). */
  skip?: number;
}

/** Fails the next requests of `client` as `failures` say, in turn, outside the retry policy. */
function failInTurn(client: TableClient, ...failures: Failure[]): void {
  client.pipeline.addPolicy({
    name: `fail-in-turn-${++policies}`,
    sendRequest: async (request, next) => {
      const failure = failures[0];
      if (!failure || request.method !== failure.method) return next(request);
      if (failure.skip) {
        failure.skip--;
        return next(request);
      }
      failures.shift();
      await failure.meanwhile?.();
      const response = failure.when === 'after' ? await next(request) : undefined;
      throw failure.status === undefined
        ? new RestError('socket hang up', { code: 'ECONNRESET', request })
        : new RestError('Service Unavailable', { statusCode: failure.status, request, response });
    },
  });
}

async function requestsTable(prefix = world.azurite.freshPrefix()): Promise<TableClient> {
  return openTablesAccount(world.conn(), prefix).table('requests');
}

const statusesOf = (err: unknown) => (err as AggregateError).errors.map((e: { statusCode?: number }) => e.statusCode);

describe('Azure Tables request store: a write that failed with no refusal', () => {
  test('a transition applied before a 503 (no resend) succeeds, and the next one follows it', async () => {
    const client = await requestsTable();
    const store = new TablesRequestStore(client);
    const request = pendingRequest();
    await store.create(request);
    failInTurn(client, { method: 'POST', when: 'after', status: 503 });
    const approved = transition(request, { type: 'approve', by: APPROVER, at: AT });
    await expect(store.update(approved)).resolves.toBeUndefined();
    expect(await store.get(request.id)).toEqual(approved);
    await store.update(transition(approved, { type: 'start', at: AT }));
    expect((await store.get(request.id))?.state).toBe('executing');
    await expect(store.listByState(['approved'])).resolves.toEqual([]);
  });

  test('a single replace (no index row moves) applied before a connection reset succeeds', async () => {
    const client = await requestsTable();
    const store = new TablesRequestStore(client);
    const request = pendingRequest();
    await store.create(request);
    const marked = { ...request, version: 2, updatedAt: AT.toISOString(), reason: 'deploy payments-api, again' };
    failInTurn(client, { method: 'PUT', when: 'after' });
    await expect(store.update(marked)).resolves.toBeUndefined();
    expect(await store.get(request.id)).toEqual(marked);
  });

  test('a create applied before a 500 or a reset is created, not a failure', async () => {
    const client = await requestsTable();
    const store = new TablesRequestStore(client);
    const first = pendingRequest({ id: 'R-LOST0001' });
    const second = pendingRequest({ id: 'R-LOST0002' });
    failInTurn(client, { method: 'POST', when: 'after', status: 500 }, { method: 'POST', when: 'after' });
    await expect(store.create(first)).resolves.toBeUndefined();
    await expect(store.create(second)).resolves.toBeUndefined();
    expect(await store.get(first.id)).toEqual(first);
    expect(await store.get(second.id)).toEqual(second);
    await expect(store.listByState(['pending'])).resolves.toEqual([first, second]);
  });

  test('a write that failed before the service got it is a failure with its own error, and can be made again', async () => {
    const client = await requestsTable();
    const store = new TablesRequestStore(client);
    const request = pendingRequest();
    failInTurn(client, { method: 'POST', when: 'before', status: 503 });
    await expect(store.create(request)).rejects.toMatchObject({ statusCode: 503 });
    await expect(store.get(request.id)).resolves.toBeUndefined();
    await store.create(request);
    const approved = transition(request, { type: 'approve', by: APPROVER, at: AT });
    failInTurn(client, { method: 'POST', when: 'before' });
    await expect(store.update(approved)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(await store.get(request.id)).toEqual(request);
    await store.update(approved);
    expect((await store.get(request.id))?.state).toBe('approved');
  });

  test('a write that failed and whose read-back failed too: both errors reach the caller, the write’s first', async () => {
    const client = await requestsTable();
    const store = new TablesRequestStore(client);
    const request = pendingRequest();
    failInTurn(client, { method: 'POST', when: 'after', status: 503 }, { method: 'GET', when: 'before', status: 502 });
    const created = await store.create(request).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(created).toBeInstanceOf(AggregateError);
    expect((created as AggregateError).message).toBe(
      `request ${request.id} was written or not: reading it back failed`,
    );
    expect(statusesOf(created)).toEqual([503, 502]);
    const approved = transition(request, { type: 'approve', by: APPROVER, at: AT });
    failInTurn(client, { method: 'POST', when: 'before', status: 503 }, { method: 'GET', when: 'before', status: 502 });
    const updated = await store.update(approved).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(statusesOf(updated)).toEqual([503, 502]);
    expect(await store.get(request.id)).toEqual(request);
  });
});

describe('Azure Tables: a decision or expiry whose write failed with no refusal is audited or undone (G11)', () => {
  const settings: FlowSettings = {
    approvalTtlMs: 24 * HOUR,
    approverIds: [APPROVER.objectId, OUTSIDER.objectId],
    auditorIds: [],
    approverJustificationRequired: false,
    principalRetryDelaysMs: [],
    sandbox: true,
  };

  async function world1(prefix = world.azurite.freshPrefix()) {
    const client = await requestsTable(prefix);
    const store = await TablesRequestStore.open(client);
    const audit = new MemoryAuditLog({ now: () => new Date() });
    const clock = new FakeClock();
    const log = createLogger({ level: 'silent' });
    const jobs = new Scheduler(new MemoryScheduleStore(), new MemoryLeaseStore(() => clock.now()), clock, log, {
      instanceId: 'i-1',
      sweepIntervalMs: 0,
      leaseTtlMs: 60_000,
    });
    const svc = new RequestService(
      store,
      audit,
      fakeDirectory(),
      clock,
      settings,
      { requestChanged: async () => undefined },
      log,
      jobs,
    );
    const file = (pendingCap?: number) =>
      svc.create({
        requester: REQUESTER,
        tenantId: TENANT,
        reason: 'deploy payments-api',
        plan: grantPlan(),
        origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
        pendingCap,
      });
    const request = await file();
    const actions = async (id = request.id) => (await audit.forRequest(id)).map((e) => e.action);
    const approve = (by = APPROVER) =>
      svc.decide({ requestId: request.id, acting: { actor: by, tenantId: TENANT }, approve: true });
    return { client, store, clock, svc, jobs, request, file, actions, approve, prefix };
  }

  test('a cancel applied unseen is undone: the request stays pending with its jobs, and cancelling again works', async () => {
    const { client, store, svc, jobs, request, actions } = await world1();
    const cancel = () => svc.cancel({ requestId: request.id, acting: { actor: REQUESTER, tenantId: TENANT } });
    failInTurn(client, { method: 'POST', when: 'after', status: 503 }, { method: 'GET', when: 'before', status: 502 });
    await expect(cancel()).rejects.toBeInstanceOf(AggregateError);
    expect((await store.get(request.id))?.state).toBe('pending');
    expect(await actions()).not.toContain('request.cancelled');
    expect(await jobs.get(requestExpiryJobId(request.id))).toBeDefined();
    await expect(cancel()).resolves.toMatchObject({ state: 'cancelled' });
    expect(await actions()).toContain('request.cancelled');
  });

  test('a withdrawal over the pending cap applied unseen is undone: no request stands cancelled without its refusal entry', async () => {
    const { client, store, request, file, actions } = await world1();
    // The create's write goes through; the withdrawal's fails after landing, and so does its read-back.
    failInTurn(
      client,
      { method: 'POST', when: 'after', status: 503, skip: 1 },
      { method: 'GET', when: 'before', status: 502 },
    );
    await expect(file(1)).rejects.toBeInstanceOf(AggregateError);
    const over = (await store.listByRequester(REQUESTER.objectId, ['pending', 'cancelled'])).find(
      (r) => r.id !== request.id,
    )!;
    expect(over.state).toBe('pending');
    expect(await actions(over.id)).toEqual(['request.created']);
  });

  test('a create whose write and read-back both failed leaves no stored request without its expiry job (G6)', async () => {
    const { client, store, clock, svc, jobs, request, file, actions } = await world1();
    failInTurn(client, { method: 'POST', when: 'after', status: 503 }, { method: 'GET', when: 'before', status: 502 });
    await expect(file()).rejects.toBeInstanceOf(AggregateError);
    const unseen = (await store.listByState(['pending'])).find((r) => r.id !== request.id)!;
    expect(await actions(unseen.id)).toContain('request.created');
    expect(await jobs.get(requestExpiryJobId(unseen.id))).toBeDefined();
    clock.advance(25 * HOUR);
    await expect(svc.expireIfDue(unseen.id)).resolves.toBe(true);
  });

  test('an approval applied before a 503 stands with its audit entry', async () => {
    const { client, store, request, actions, approve } = await world1();
    failInTurn(client, { method: 'POST', when: 'after', status: 503 });
    await expect(approve()).resolves.toMatchObject({ kind: 'decided' });
    expect((await store.get(request.id))?.state).toBe('approved');
    expect(await actions()).toContain('request.approved');
  });

  test('an expiry applied before a 503 stands with its audit entry', async () => {
    const { client, store, clock, svc, request, actions } = await world1();
    clock.advance(25 * HOUR);
    failInTurn(client, { method: 'POST', when: 'after', status: 503 });
    await expect(svc.expireIfDue(request.id)).resolves.toBe(true);
    expect((await store.get(request.id))?.state).toBe('expired');
    expect(await actions()).toContain('request.expired');
  });

  test('an approval applied unseen (its read-back failed too) is undone: the request stays pending, and a second click approves it', async () => {
    const { client, store, request, actions, approve } = await world1();
    failInTurn(client, { method: 'POST', when: 'after', status: 503 }, { method: 'GET', when: 'before', status: 502 });
    const failure = await approve().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(statusesOf(failure)).toEqual([503, 502]);
    expect((await store.get(request.id))?.state).toBe('pending');
    expect(await actions()).not.toContain('request.approved');
    await expect(approve()).resolves.toMatchObject({ kind: 'decided' });
    expect((await store.get(request.id))?.state).toBe('approved');
    expect(await actions()).toContain('request.approved');
  });

  test('an expiry applied unseen is undone; the next run expires the request, audited', async () => {
    const { client, store, clock, svc, request, actions } = await world1();
    clock.advance(25 * HOUR);
    failInTurn(client, { method: 'POST', when: 'after', status: 503 }, { method: 'GET', when: 'before', status: 502 });
    await expect(svc.expireIfDue(request.id)).rejects.toBeInstanceOf(AggregateError);
    expect((await store.get(request.id))?.state).toBe('pending');
    expect(await actions()).not.toContain('request.expired');
    await expect(svc.expireIfDue(request.id)).resolves.toBe(true);
    expect((await store.get(request.id))?.state).toBe('expired');
    expect(await actions()).toContain('request.expired');
  });

  test('an approval that never landed undoes nothing: another approver’s decision at that version stands', async () => {
    const { client, store, request, approve, prefix } = await world1();
    const other = new TablesRequestStore(await requestsTable(prefix));
    const theirs = transition(request, { type: 'approve', by: OUTSIDER, at: AT });
    failInTurn(client, { method: 'POST', when: 'before', status: 503, meanwhile: () => other.update(theirs) });
    await expect(approve()).rejects.toMatchObject({ statusCode: 503 });
    expect(await store.get(request.id)).toEqual(theirs);
  });
});
