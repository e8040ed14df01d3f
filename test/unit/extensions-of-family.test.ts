/**
 * extensionsOf (access-extensions.ts) reads one access's family: the extensions of a request and
 * of those, of its own kind, newest first. The order is relied on: movedByMissedExtensions applies
 * missed moves oldest first (reversing it), so the latest end wins and every extension is recorded
 * as having moved the end; applied newest first, an older one would find the end past its own,
 * stay unrecorded, and be revoked alone at its end while the access runs on.
 */
import type { AccessRequest } from '../../src/domain/request';
import type { LifecycleDeps } from '../../src/flows/access-lifecycle-deps';
import { extensionsOf, movedByMissedExtensions } from '../../src/flows/access-extensions';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock } from './support/fake-clock';
import { pendingRequest, secretPlan } from './support/requests';

function succeeded(id: string, createdAt: string, overrides: Partial<AccessRequest> = {}): AccessRequest {
  return pendingRequest({ id, createdAt, state: 'succeeded', ...overrides });
}

test('the extensions of a request and of those, its kind only, newest first', async () => {
  const store = new MemoryRequestStore();
  const original = succeeded('R-ORIGINAL', '2025-01-01T00:00:00.000Z');
  const requests = [
    original,
    succeeded('R-FIRST', '2025-01-02T00:00:00.000Z', { extendsRequestId: 'R-ORIGINAL' }),
    succeeded('R-SECOND', '2025-01-03T00:00:00.000Z', { extendsRequestId: 'R-FIRST' }),
    succeeded('R-THIRD', '2025-01-04T00:00:00.000Z', { extendsRequestId: 'R-ORIGINAL' }),
    // Not of the family: another access on the same pair, and a secret naming the grant.
    succeeded('R-OTHER', '2025-01-05T00:00:00.000Z', { extendsRequestId: 'R-ELSEWHERE' }),
    succeeded('R-SECRET', '2025-01-06T00:00:00.000Z', { extendsRequestId: 'R-ORIGINAL', plan: secretPlan() }),
  ];
  for (const r of requests) await store.create(r);
  const family = await extensionsOf({ store } as unknown as LifecycleDeps, original);
  expect(family.map((r) => r.id)).toEqual(['R-THIRD', 'R-SECOND', 'R-FIRST']);
});

test('missed moves are made oldest first: every extension recorded, the latest end kept', async () => {
  const NOW = '2025-02-12T10:00:00.000Z';
  const clock = new FakeClock(NOW);
  const store = new MemoryRequestStore();
  const deps = {
    store,
    audit: new MemoryAuditLog(clock),
    clock,
    jobs: {
      schedule: async () => undefined,
      scheduleIfAbsent: async () => true,
      cancel: async () => undefined,
      get: async () => undefined,
    },
    cards: { requestChanged: async () => undefined },
    log: createLogger({ level: 'silent' }),
    settings: { remindersMs: [] },
  } as unknown as LifecycleDeps;
  const access = (expiresAt: string) => ({ durationMs: 3_600_000, expiresAt });
  const original = succeeded('R-ORIGINAL', '2025-01-01T00:00:00.000Z', { version: 3, access: access(NOW) });
  const older = succeeded('R-OLDER', '2025-01-02T00:00:00.000Z', {
    extendsRequestId: original.id,
    access: access('2025-02-17T10:00:00.000Z'),
  });
  const newer = succeeded('R-NEWER', '2025-01-03T00:00:00.000Z', {
    extendsRequestId: original.id,
    access: access('2025-02-22T10:00:00.000Z'),
  });
  for (const r of [original, older, newer]) await store.create(r);
  const family = await extensionsOf(deps, original);
  const revokeSoon = async () => undefined;
  expect(await movedByMissedExtensions(deps, original, family, clock.now(), revokeSoon)).toBe(true);
  const moved = await store.get(original.id);
  expect(moved?.access?.expiresAt).toBe('2025-02-22T10:00:00.000Z');
  expect(moved?.access?.extendedBy).toEqual(['R-OLDER', 'R-NEWER']);
});
