/**
 * The tab's cached matrix is dropped only by request changes that can alter it: a reminder on a
 * pending request or a run's "waiting" mark keeps the copy (no ARM and Graph read for a nudge),
 * a grant's outcome, a revocation mark, drift or an end keep dropping it.
 */
import type { AccessMatrix } from '../../src/domain/access-inventory';
import type { AccessRequest } from '../../src/domain/request';
import { CachedInventory } from '../../src/tab/inventory-cache';
import { dropMatrixOnAccessChange } from '../../src/tab/matrix-invalidation';
import { pendingRequest } from './support/requests';

function setup() {
  let reads = 0;
  const source = {
    matrix: async (): Promise<AccessMatrix> => {
      reads += 1;
      return { clusters: [], registries: [], cells: [], unresolvedClusters: [], generatedAt: `read-${reads}` };
    },
  };
  const clock = { now: () => new Date('2026-11-30T10:00:00Z') };
  const inventory = new CachedInventory(source, clock, 60_000);
  const listeners: Array<(request: AccessRequest) => void> = [];
  dropMatrixOnAccessChange({ onRequestChanged: (listener) => void listeners.push(listener) }, inventory);
  return {
    /** Tells the listeners the way createFlows' cards do, then loads the matrix: how many reads so far. */
    changeThenLoad: async (request: AccessRequest) => {
      for (const listener of listeners) listener(request);
      await inventory.matrix();
      return reads;
    },
    load: async () => (await inventory.matrix(), reads),
  };
}

const pending = pendingRequest();

test('a reminder, a decision on a pending request and a run’s waiting mark keep the matrix', async () => {
  const t = setup();
  expect(await t.load()).toBe(1);
  // approval-nudges.ts tells the nudged (still pending) request with no change flag at all.
  expect(await t.changeThenLoad({ ...pending, version: 2, policy: { ...pending.policy!, remindedAt: 'x' } })).toBe(1);
  expect(await t.changeThenLoad({ ...pending, state: 'approved', version: 3 })).toBe(1);
  // The executor's start (before any write in Azure) and its waiting mark.
  expect(await t.changeThenLoad({ ...pending, state: 'executing', version: 4 })).toBe(1);
  const waiting = { since: '2026-11-30T10:00:00Z', reason: 'ARM answered 503', reference: 'c-1' };
  expect(await t.changeThenLoad({ ...pending, state: 'executing', version: 5, waiting })).toBe(1);
  expect(await t.changeThenLoad({ ...pending, state: 'rejected', version: 3 })).toBe(1);
});

test('a grant’s outcome, a revocation or drift mark on granted access, and an end drop it', async () => {
  const t = setup();
  expect(await t.load()).toBe(1);
  expect(await t.changeThenLoad({ ...pending, state: 'succeeded', version: 6 })).toBe(2);
  const granted = { ...pending, state: 'succeeded' as const, access: { durationMs: 3_600_000 } };
  expect(await t.changeThenLoad({ ...granted, version: 7, access: { revokingSince: 'x' } })).toBe(3);
  expect(await t.changeThenLoad({ ...granted, version: 7, access: { driftDetectedAt: 'x' } })).toBe(4);
  expect(await t.changeThenLoad({ ...granted, state: 'revoked', version: 8 })).toBe(5);
  expect(await t.changeThenLoad({ ...pending, state: 'failed', version: 6 })).toBe(6);
});
