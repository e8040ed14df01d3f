/**
 * On Azure Tables (Azurite), a dialog read that finds its record expired deletes it only under
 * the ETag it read: a fresh put by another instance between the read and the delete is kept.
 */
import type { DialogRecord } from '../../src/domain/ports';
import { openTablesAccount } from '../../src/integrations/store/tables-client';
import { TablesDialogStore } from '../../src/integrations/store/tables-coordination';
import { tableRest } from '../../src/integrations/store/tables-rest';
import { useAzurite } from '../helpers/azurite';

jest.setTimeout(60_000);

const world = useAzurite();

test("an expired read does not delete a fresh record another instance put between the read and the read's delete", async () => {
  const prefix = world.azurite.freshPrefix();
  const tableA = await openTablesAccount(world.conn(), prefix).table('dialogs');
  const a = new TablesDialogStore(tableA);
  const b = new TablesDialogStore(await openTablesAccount(world.conn(), prefix).table('dialogs'));
  const key = '19:conv|user-1';
  await a.put({ key, state: { step: 'old' }, expiresAt: '2025-01-15T09:00:00.000Z' });
  const now = new Date('2025-01-15T10:00:00.000Z');
  const fresh: DialogRecord = { key, state: { step: 'fresh' }, expiresAt: '2025-01-15T11:00:00.000Z' };
  // A's read answers the expired row; before A acts on it, B (another instance) puts a fresh one.
  const rest = tableRest(tableA);
  const read = rest.get.bind(rest);
  jest.spyOn(rest, 'get').mockImplementationOnce(async (pk, rk) => {
    const row = await read(pk, rk);
    await b.put(fresh);
    return row;
  });
  expect(await a.get(key, now)).toBeUndefined();
  expect(await a.get(key, now)).toEqual(fresh);
  expect(await b.get(key, now)).toEqual(fresh);
});
