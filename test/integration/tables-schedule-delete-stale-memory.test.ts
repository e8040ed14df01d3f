/**
 * A conditional delete on Azure Tables by an instance whose remembered copy of the job is stale
 * (it wrote the job, another instance rewrote it since): the delete at the revision now stored
 * removes the job. Found by mutation testing:
 * deciding on the remembered row whatever revision was asked for left a finished job in the
 * schedule (run again) with every existing test passing.
 */
import { TablesScheduleStore } from '../../src/integrations/store/tables-coordination';
import { openTablesAccount } from '../../src/integrations/store/tables-client';
import { useAzurite } from '../helpers/azurite';

jest.setTimeout(60_000);

const world = useAzurite();

test('deleteIfUnchanged at the revision another instance wrote deletes the job, though this instance remembers an older one', async () => {
  const prefix = world.azurite.freshPrefix();
  const a = new TablesScheduleStore(await openTablesAccount(world.conn(), prefix).table('schedule'));
  const b = new TablesScheduleStore(await openTablesAccount(world.conn(), prefix).table('schedule'));
  const job = {
    id: 'access.expire:R-1',
    kind: 'access.expire' as const,
    dueAt: '2025-01-15T10:00:00.000Z',
    attempts: 0,
  };
  // a writes the job (and remembers it), b moves it (a new revision a has not seen).
  await a.put(job);
  const first = (await b.get(job.id))!;
  await b.put({ ...job, dueAt: '2025-01-15T09:00:00.000Z' });
  const moved = (await b.get(job.id))!;
  expect(moved.revision).not.toBe(first.revision);

  // The revision stored now (as a run read it through `due`) deletes it, though a remembers rev 1.
  expect(await a.deleteIfUnchanged(job.id, moved.revision!)).toBe(true);
  expect(await b.get(job.id)).toBeUndefined();
  expect(await b.due(new Date('2025-01-15T12:00:00.000Z'), 10)).toEqual([]);
  expect(await a.deleteIfUnchanged(job.id, first.revision!)).toBe(false);
});
