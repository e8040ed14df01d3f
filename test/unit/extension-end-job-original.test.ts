/**
 * An extension's end job and the original it extends (access-lifecycle.ts onExpire,
 * access-extensions.ts carryingOriginalEnd and originalEndingWith): the job waits for the
 * original's end only while the original carries this extension's access past now (the extension
 * moved it, `extendedBy`; it is active, not being revoked, not due). An original that is due ends
 * with it in one revocation when this extension moved its end; otherwise the extension ends
 * alone, and the original is left to its own job. And the original's end job makes the missed
 * move of an unrecorded extension only for one that ends later than now (movedByMissedExtensions):
 * one due too ends with it, the end unmoved; several are moved oldest first, so each is recorded
 * as carried and the older one's job waits for the original's end. AccessLifecycle on memory stores with a fake
 * role-assignment port.
 */
import type { AccessRequest } from '../../src/domain/request';
import { accessExpiryJobId } from '../../src/flows/access-jobs';
import { endJobOf, fakeRoleAssignments, memoryWorld, quietLifecycle, recordingJobs } from './support/access-lifecycle';
import { HOUR } from './support/fake-clock';
import { APPROVER, grantPlan, pendingRequest } from './support/requests';

const DAY = 24 * HOUR;
const NOW = '2025-02-12T10:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

function setUp() {
  const { clock, store, audit } = memoryWorld(NOW);
  const { ports, deletes } = fakeRoleAssignments(grantPlan());
  const { jobs, written } = recordingJobs();
  /** The end jobs written (moved), of `request` when given. */
  const moved = (request?: AccessRequest) =>
    written
      .filter((j) => j.kind === 'access.expire' && (!request || j.id === accessExpiryJobId(request.id)))
      .map((j) => j.dueAt.toISOString());
  const lifecycle = quietLifecycle(clock, { store, audit, ports, jobs });
  /** Runs `request`'s end job, due now. */
  const endJob = (request: AccessRequest) => lifecycle.onExpire(endJobOf(request, NOW));
  const state = async (request: AccessRequest) => (await store.get(request.id))?.state;
  /** Stores R-ORIGINAL with `access` and its extension R-EXTENSION, ended an hour ago. */
  const storeWithExtension = async (access: Access) => {
    const original = succeeded('R-ORIGINAL', access);
    const extension = succeeded('R-EXTENSION', { expiresAt: at(-HOUR) }, original.id);
    await store.create(original);
    await store.create(extension);
    return { original, extension };
  };
  return { clock, store, audit, deletes, moved, endJob, state, storeWithExtension };
}

type Access = Partial<NonNullable<AccessRequest['access']>>;

function succeeded(id: string, access: Access, extendsRequestId?: string, createdAt?: string) {
  return pendingRequest({
    id,
    ...(createdAt && { createdAt }),
    state: 'succeeded',
    version: 4,
    decision: { by: APPROVER, at: '2025-02-01T10:00:00.000Z', approved: true },
    access: { durationMs: 30 * DAY, ...access },
    outcome: { summary: 'granted', azureRequestIds: [], createdIds: ['ra-id'] },
    ...(extendsRequestId && { extendsRequestId }),
  });
}

test('an original this extension moved and now due ends with it, in one revocation: no job moved to its past end', async () => {
  const { deletes, moved, endJob, state, storeWithExtension } = setUp();
  const { original, extension } = await storeWithExtension({ expiresAt: at(-HOUR), extendedBy: ['R-EXTENSION'] });

  await endJob(extension);

  expect(moved()).toEqual([]);
  expect(await state(original)).toBe('revoked');
  expect(await state(extension)).toBe('revoked');
  expect(deletes).toHaveLength(1);
});

test('an original being revoked carries no extension: the extension ends at its own end, alone', async () => {
  const { moved, endJob, state, storeWithExtension } = setUp();
  const { original, extension } = await storeWithExtension({
    expiresAt: at(10 * DAY),
    extendedBy: ['R-EXTENSION'],
    revokingSince: at(-HOUR),
  });

  await endJob(extension);

  expect(moved()).toEqual([]);
  expect(await state(extension)).toBe('revoked');
  // Its own revocation, begun, is finished by its own job: not taken over early by this one.
  expect(await state(original)).toBe('succeeded');
});

test('an original this extension did not move carries none of it: the extension ends alone, the original runs on', async () => {
  const { deletes, moved, endJob, state, storeWithExtension } = setUp();
  const { original, extension } = await storeWithExtension({ expiresAt: at(10 * DAY) });

  await endJob(extension);

  expect(moved()).toEqual([]);
  expect(await state(extension)).toBe('revoked');
  expect(await state(original)).toBe('succeeded');
  // The original still holds the role assignment.
  expect(deletes).toEqual([]);
});

test('a due original this extension did not move is left to its own job', async () => {
  const { moved, endJob, state, storeWithExtension } = setUp();
  const { original, extension } = await storeWithExtension({ expiresAt: at(-2 * HOUR) });

  await endJob(extension);

  expect(moved()).toEqual([]);
  expect(await state(extension)).toBe('revoked');
  expect(await state(original)).toBe('succeeded');
});

test("at the original's end, an unrecorded extension due too ends with it: the end is not moved to the extension's", async () => {
  const { store, audit, moved, endJob, state, storeWithExtension } = setUp();
  // The extension (an hour ago) ends later than the original, but before now: nothing left to carry.
  const { original, extension } = await storeWithExtension({ expiresAt: at(-2 * HOUR) });

  await endJob(original);

  expect(moved()).toEqual([]);
  expect(await state(original)).toBe('revoked');
  expect(await state(extension)).toBe('revoked');
  expect((await store.get(original.id))?.access?.expiresAt).toBe(at(-2 * HOUR));
  expect((await audit.forRequest(original.id)).filter((e) => e.action === 'access.extended')).toEqual([]);
});

test("at the original's end, unrecorded extensions move it oldest first: the older one's job then waits for the original's end", async () => {
  const { clock, store, moved, endJob, state } = setUp();
  const original = succeeded('R-ORIGINAL', { expiresAt: NOW });
  const older = succeeded('R-OLDER', { expiresAt: at(10 * DAY) }, original.id, '2025-02-02T10:00:00.000Z');
  const newer = succeeded('R-NEWER', { expiresAt: at(20 * DAY) }, original.id, '2025-02-03T10:00:00.000Z');
  await store.create(original);
  await store.create(older);
  await store.create(newer);

  await endJob(original);

  expect(await state(original)).toBe('succeeded');
  expect((await store.get(original.id))?.access).toMatchObject({
    expiresAt: at(20 * DAY),
    extendedBy: [older.id, newer.id],
  });
  clock.advance(10 * DAY);
  await endJob(older);
  expect(await state(older)).toBe('succeeded');
  expect(moved(older)).toEqual([at(20 * DAY)]);
});
