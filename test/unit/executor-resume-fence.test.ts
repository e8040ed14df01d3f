/**
 * The resume fence (executor.ts): a run taken over after its holder's lease expired first writes
 * the request again under the new lease (a version bump), so a conditional write of the earlier
 * holder, paused past its lease check and past its lease's expiry, fails instead of landing
 * beside the new holder's run. Two executors on one memory store and lease store.
 */
import { VersionConflictError } from '../../src/domain/ports';
import { type AccessRequest } from '../../src/domain/request';
import { Executor, type PlanRunner } from '../../src/flows/executor';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE } from './support/fake-clock';
import { APPROVER, pendingRequest } from './support/requests';

test("an earlier holder's write, paused past its lease's expiry, fails once another holder resumed the run", async () => {
  const clock = new FakeClock('2025-01-15T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const leases = new MemoryLeaseStore(() => clock.now());
  const id = 'R-7K2M9QXA';
  await store.create(
    pendingRequest({
      id,
      state: 'executing',
      version: 3,
      decision: { approved: true, by: APPROVER, at: '2025-01-15T09:00:00.000Z' },
    }),
  );

  // Holder 1's record of what it created: held inside the store's write, after its lease check.
  let inWrite!: () => void;
  const paused = new Promise<void>((resolve) => (inWrite = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let holderOneWrite: Promise<void> | undefined;
  const update = store.update.bind(store);
  store.update = async (next: AccessRequest) => {
    if (next.created?.some((o) => o.name === 'by-holder-1') && !holderOneWrite) {
      holderOneWrite = (async () => {
        inWrite();
        await released;
        await update(next);
      })();
      return holderOneWrite;
    }
    return update(next);
  };
  // Holder 2's run waits in its runner, after its take-over, until the test lets it go.
  let holderTwoRunning!: (request: AccessRequest) => void;
  const holderTwoIn = new Promise<AccessRequest>((resolve) => (holderTwoRunning = resolve));
  let finishTwo!: () => void;
  const twoMayFinish = new Promise<void>((resolve) => (finishTwo = resolve));

  const executor = (owner: string, runner: PlanRunner) =>
    new Executor(
      store,
      audit,
      clock,
      { grant: runner },
      { requestChanged: async () => undefined },
      createLogger({ level: 'silent' }),
      { leases, owner, ttlMs: MINUTE },
    );
  const one = executor('instance-1', {
    run: async (_request, ctx) => {
      await ctx.recordCreated({ kind: 'roleAssignment', id: 'assignment-1', name: 'by-holder-1' });
      return { summary: 'granted by holder 1', azureRequestIds: [] };
    },
  });
  const two = executor('instance-2', {
    run: async (request) => {
      holderTwoRunning(request);
      await twoMayFinish;
      return { summary: 'granted by holder 2', azureRequestIds: [] };
    },
  });

  const runOne = one.schedule(id, { swept: true });
  await paused;
  // Holder 1 stalls past its lease: holder 2's sweep takes the run over.
  clock.advance(2 * MINUTE);
  await two.resumeInterrupted();
  const taken = await holderTwoIn;

  release();
  await expect(holderOneWrite).rejects.toBeInstanceOf(VersionConflictError);
  const stored = (await store.get(id))!;
  expect(stored).toEqual(taken);
  expect(stored.created ?? []).toEqual([]);

  finishTwo();
  await Promise.all([runOne, two.drain(), one.drain()]);
  expect((await store.get(id))!).toMatchObject({
    state: 'succeeded',
    outcome: { summary: 'granted by holder 2' },
  });
});
