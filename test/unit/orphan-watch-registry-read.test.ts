/**
 * The orphan watch's reads while the registry is still gone: one GET of the registry at its
 * recorded id, no role assignment listing, and the next daily look spread (up to an hour early).
 */
import { ResourceGoneError } from '../../src/domain/errors';
import type { JobSpec } from '../../src/flows/scheduler';
import { ORPHAN_WATCH_SPREAD_MS, scheduleOrphanWatch, watchOrphanedAssignment } from '../../src/flows/orphan-watch';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { FakeClock } from './support/fake-clock';
import { watchDeps, watchJob } from './support/orphan-watch';
import { grantPlan, pendingRequest, REGISTRY_ID } from './support/requests';

const DAY = 24 * 60 * 60 * 1000;

async function world(registryThere: boolean) {
  const clock = new FakeClock();
  const store = new MemoryRequestStore();
  const request = pendingRequest({ plan: grantPlan(), state: 'revoked' });
  await store.create(request);
  const scheduled: JobSpec[] = [];
  const reads = { scopeExists: [] as string[], listForPrincipal: 0 };
  const deps = watchDeps({
    store,
    clock,
    scheduled,
    roleAssignments: {
      scopeExists: async (scope: string) => {
        reads.scopeExists.push(scope);
        return registryThere;
      },
      listForPrincipal: async () => {
        reads.listForPrincipal++;
        // Gone again by the listing: looked at tomorrow (keeps this test to the reads).
        throw new ResourceGoneError('registry', 'registry contosoacr', 'ResourceNotFound');
      },
    },
  });
  const job = watchJob(request.id, clock);
  return { deps, job, clock, scheduled, reads };
}

describe('orphan watch: a registry still gone', () => {
  test('one GET of the registry at its recorded id, no role assignment listing; the next look a day later, spread early', async () => {
    const w = await world(false);

    await watchOrphanedAssignment(w.deps, w.job, undefined, () => 0.5);

    expect(w.reads).toEqual({ scopeExists: [REGISTRY_ID], listForPrincipal: 0 });
    expect(w.scheduled.map((j) => j.dueAt)).toEqual([
      new Date(w.clock.now().getTime() + DAY - ORPHAN_WATCH_SPREAD_MS / 2),
    ]);
  });

  test('without a random source, the next look is spread early, and the same on every run', async () => {
    const dueAt = async () => {
      const w = await world(false);
      await watchOrphanedAssignment(w.deps, w.job);
      expect(w.scheduled).toHaveLength(1);
      return w.scheduled[0].dueAt.getTime() - w.clock.now().getTime();
    };
    const first = await dueAt();
    expect(first).toBeGreaterThan(DAY - ORPHAN_WATCH_SPREAD_MS);
    expect(first).toBeLessThanOrEqual(DAY);
    expect(await dueAt()).toBe(first);
  });

  test('a registry that answers again: its role assignments are listed', async () => {
    const w = await world(true);

    await watchOrphanedAssignment(w.deps, w.job, undefined, () => 0);

    expect(w.reads).toEqual({ scopeExists: [REGISTRY_ID], listForPrincipal: 1 });
    expect(w.scheduled.map((j) => j.dueAt)).toEqual([new Date(w.clock.now().getTime() + DAY)]);
  });

  test("the first look is spread too: a registry's watches scheduled in one minute do not all come due in one", async () => {
    const w = await world(false);
    const randoms = [0, 0.25, 0.999];
    for (const r of randoms) await scheduleOrphanWatch(w.deps, `R-${r}`, () => r);

    const now = w.clock.now().getTime();
    expect(w.scheduled.map((j) => j.dueAt.getTime() - now)).toEqual(
      randoms.map((r) => DAY - Math.floor(r * ORPHAN_WATCH_SPREAD_MS)),
    );
  });
});
