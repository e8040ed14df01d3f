/**
 * A dialog read that finds its record expired deletes it, but only while it is still expired:
 * another process on the same SQLite file may have put a fresh record between the read and the
 * delete (which waits for the end of the loop turn, in the connection's commit group).
 */
import type { DialogRecord } from '../../src/domain/ports';
import { commitGroupOf } from '../../src/integrations/store/sqlite-commit-group';
import { SqliteDialogStore } from '../../src/integrations/store/sqlite-coordination';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { useTempDir } from './support/temp-dir';

const tmp = useTempDir();

test("an expired read does not delete a fresh record another process put between the read and the read's delete", async () => {
  const path = tmp.path('dialogs.db');
  const a = openSqlite(path);
  const b = openSqlite(path);
  try {
    const storeA = new SqliteDialogStore(a);
    const storeB = new SqliteDialogStore(b);
    const key = '19:conv|user-1';
    await storeA.put({ key, state: { step: 'old' }, expiresAt: '2025-01-15T09:00:00.000Z' });
    const now = new Date('2025-01-15T10:00:00.000Z');
    const fresh: DialogRecord = { key, state: { step: 'fresh' }, expiresAt: '2025-01-15T11:00:00.000Z' };
    // A reads the expired row now; its delete waits in A's commit group for the end of this turn.
    const read = storeA.get(key, now);
    // B's put is committed first (its group flushed at once, as another process's would be).
    const written = storeB.put(fresh);
    commitGroupOf(b).flush();
    await written;
    expect(await read).toBeUndefined();
    expect(await storeA.get(key, now)).toEqual(fresh);
    expect(await storeB.get(key, now)).toEqual(fresh);
  } finally {
    a.close();
    b.close();
  }
});
