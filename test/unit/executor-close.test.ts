/**
 * Shutdown: once the executor is closed it starts no run (a resume sweep whose store read was
 * still in flight at SIGTERM would otherwise start one after the drain, to be cut off by the
 * exit with its lease held). The request stays approved for the next start or another instance.
 */
import type { PlanRunner } from '../../src/flows/executor';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { FakeClock } from './support/fake-clock';
import { memoryExecutor } from './support/memory-executor';
import { APPROVER, pendingRequest } from './support/requests';

function setup() {
  const clock = new FakeClock();
  const store = new MemoryRequestStore();
  const runs: string[] = [];
  const grant: PlanRunner = {
    run: async (request) => {
      runs.push(request.id);
      return { summary: 'granted', azureRequestIds: [] };
    },
  };
  const executor = memoryExecutor(clock, { store, grant });
  return { store, runs, executor };
}

const approved = (id: string) =>
  pendingRequest({
    id,
    state: 'approved',
    version: 2,
    decision: { approved: true, by: APPROVER, at: '2025-01-15T09:00:00.000Z' },
  });

test('a run scheduled before close finishes; one scheduled after close does not start, and the request stays approved', async () => {
  const { store, runs, executor } = setup();
  await store.create(approved('R-AAAAAAAA'));
  await store.create(approved('R-BBBBBBBB'));
  const first = executor.schedule('R-AAAAAAAA');
  await executor.close();
  await first;
  expect((await store.get('R-AAAAAAAA'))?.state).toBe('succeeded');
  await executor.schedule('R-BBBBBBBB');
  await executor.drain();
  expect(runs).toEqual(['R-AAAAAAAA']);
  expect((await store.get('R-BBBBBBBB'))?.state).toBe('approved');
});
