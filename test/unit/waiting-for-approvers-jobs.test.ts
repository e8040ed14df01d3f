/**
 * Reviews owed read from their review jobs (waiting-for-approvers.ts, listReviewsOwed), on a
 * scripted job listing and store: each request is read once and only by an id a job names, the
 * list comes oldest first whatever order the jobs are listed in (by id), and the bound is said to
 * be reached only when the listing had more jobs than it.
 */
import type { ScheduledJob } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { listReviewsOwed, WAITING_SCAN_LIMIT } from '../../src/flows/waiting-for-approvers';
import { breakGlassRequest } from './support/break-glass';
import { OLIVE } from './support/policy-fixtures';

/** A live break-glass grant of Olive's owing its review, made at `createdAt`. */
function owed(id: string, createdAt: string): AccessRequest {
  return breakGlassRequest(
    OLIVE,
    createdAt,
    { dueAt: '2025-01-16T10:00:00.000Z' },
    { id, state: 'succeeded', createdAt },
  );
}

function job(requestId: string | undefined, id = `breakglass.review:${requestId}`): ScheduledJob {
  return { id, kind: 'breakglass.review', dueAt: '2025-01-16T10:00:00.000Z', requestId, attempts: 0 };
}

/** A store holding `requests`, recording every id read; listing by state is not expected here. */
function storeOf(requests: AccessRequest[]) {
  const byId = new Map(requests.map((r) => [r.id, r]));
  const reads: unknown[] = [];
  return {
    reads,
    get: async (id: string) => (reads.push(id), byId.get(id)),
    listByState: async (): Promise<AccessRequest[]> => {
      throw new Error('reviews owed are read from their jobs here, not by state');
    },
  };
}

/** A job listing answering at most `limit` of `jobs`, in the order given. */
const lister = (jobs: ScheduledJob[]) => async (limit: number) => jobs.slice(0, limit);

test('listed oldest first even when the jobs list them the other way (job ids follow request ids, not age)', async () => {
  // R-A… was made after R-Z…: ids are random, not in order of creation.
  const newer = owed('R-AAAAAAA2', '2025-01-15T12:00:00.000Z');
  const older = owed('R-ZZZZZZZ2', '2025-01-15T09:00:00.000Z');
  const store = storeOf([newer, older]);
  const found = await listReviewsOwed(store, lister([job(newer.id), job(older.id)]));
  expect(found.requests.map((r) => r.id)).toEqual([older.id, newer.id]);
  expect(found.boundReached).toBe(false);
});

test('a request two jobs name is read and listed once', async () => {
  const grant = owed('R-TWICE222', '2025-01-15T09:00:00.000Z');
  const store = storeOf([grant]);
  const found = await listReviewsOwed(
    store,
    lister([job(grant.id), job(grant.id, `breakglass.review:${grant.id}:again`)]),
  );
  expect(found.requests.map((r) => r.id)).toEqual([grant.id]);
  expect(store.reads).toEqual([grant.id]);
});

test('a job naming no request reads nothing for it', async () => {
  const grant = owed('R-NAMED222', '2025-01-15T09:00:00.000Z');
  const store = storeOf([grant]);
  const found = await listReviewsOwed(store, lister([job(undefined, 'breakglass.review:'), job(grant.id)]));
  expect(found.requests.map((r) => r.id)).toEqual([grant.id]);
  expect(store.reads).toEqual([grant.id]);
});

test('exactly as many jobs as the bound: all are read, and the bound is not said to be reached', async () => {
  const jobs = Array.from({ length: WAITING_SCAN_LIMIT }, (_, i) => job(`R-J${String(i).padStart(7, '0')}`));
  const store = storeOf([]);
  const found = await listReviewsOwed(store, lister(jobs));
  expect(found.boundReached).toBe(false);
  expect(store.reads).toHaveLength(WAITING_SCAN_LIMIT);
});
