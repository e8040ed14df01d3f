/**
 * G11: a log whose chain head is gone is BROKEN on Azure Tables and on SQLite alike, in the same
 * words. acrbot writes the head in the transaction of every entry on both stores, so entries
 * without a head were never written by acrbot: the head was deleted, typically with the newest
 * entries, which the head is there to catch. The entries are checked first, so a break among
 * them is still the one named.
 */
import type { TableClient } from '@azure/data-tables';
import type { AuditEntry, ChainVerdict } from '../../src/domain/audit-chain';
import { openTablesAccount } from '../../src/integrations/store/tables-client';
import { TablesAuditLog } from '../../src/integrations/store/tables-audit-log';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { useAzurite } from '../helpers/azurite';
import { FakeClock, SECOND } from '../unit/support/fake-clock';
import { auditEvent } from '../unit/support/requests';

jest.setTimeout(60_000);

const world = useAzurite();
const KEY = Buffer.alloc(32, 9);
const PK = 'audit';
const pad = (seq: number) => String(seq).padStart(12, '0');

/** A keyed Tables log of `n` entries (request req-<i> each) and a second client on its table (the attacker's). */
async function tablesLog(n: number): Promise<{ log: TablesAuditLog; table: TableClient }> {
  const prefix = world.azurite.freshPrefix();
  const clock = new FakeClock();
  const log = new TablesAuditLog(await openTablesAccount(world.conn(), prefix).table('audit'), clock, KEY);
  for (let i = 1; i <= n; i++) {
    clock.advance(SECOND);
    await log.append(auditEvent(i));
  }
  return { log, table: await openTablesAccount(world.conn(), prefix).table('audit') };
}

/** What the same tampering gives on SQLite: `n` entries, those past `keep` and the head row deleted. */
async function sqliteVerdict(n: number, keep: number, modify?: number): Promise<ChainVerdict> {
  const db = openSqlite(':memory:');
  try {
    const clock = new FakeClock();
    const log = new SqliteAuditLog(db, clock, KEY);
    for (let i = 1; i <= n; i++) {
      clock.advance(SECOND);
      await log.append(auditEvent(i));
    }
    db.exec('DROP TRIGGER audit_no_update');
    db.exec('DROP TRIGGER audit_no_delete');
    db.prepare('DELETE FROM audit WHERE seq > ?').run(keep);
    db.exec('DELETE FROM audit_head');
    if (modify !== undefined) {
      const { entry } = db.prepare('SELECT entry FROM audit WHERE seq = ?').get(modify) as { entry: string };
      const forged = { ...(JSON.parse(entry) as AuditEntry), outcome: 'granted' };
      db.prepare('UPDATE audit SET entry = ? WHERE seq = ?').run(JSON.stringify(forged), modify);
    }
    return await log.verify();
  } finally {
    db.close();
  }
}

/** Deletes the entries past `keep` with their request index rows, and the head. */
async function cutWithHead(table: TableClient, n: number, keep: number): Promise<void> {
  for (let seq = n; seq > keep; seq--) {
    await table.deleteEntity(PK, `e|${pad(seq)}`);
    await table.deleteEntity(PK, `q|req-${seq}|${pad(seq)}`);
  }
  await table.deleteEntity(PK, 'head');
}

describe('a missing chain head is BROKEN, on Tables as on SQLite', () => {
  test('the head deleted with the newest entries: BROKEN past the last entry, in the words SQLite uses', async () => {
    const { log, table } = await tablesLog(4);
    await cutWithHead(table, 4, 2);
    const expected = {
      intact: false,
      count: 2,
      brokenAtSeq: 3,
      problem:
        'the log has entries up to seq 2 but no chain head, so entries deleted from the end would not show (acrbot writes the head with every entry, in the same transaction: it was deleted)',
    };
    await expect(log.verify()).resolves.toEqual(expected);
    await expect(sqliteVerdict(4, 2)).resolves.toEqual(expected);
    // No append writes a head over the gap (SQLite refuses it too: sqlite-audit-log.test.ts).
    await expect(log.append(auditEvent(5))).rejects.toThrow('the audit entry could not be written');
    await expect(log.verify()).resolves.toEqual(expected);
  });

  test('the head deleted and an entry modified: the modified entry is named first, on both stores', async () => {
    const { log, table } = await tablesLog(3);
    const stored = JSON.parse(String((await table.getEntity(PK, `e|${pad(2)}`)).doc0)) as AuditEntry;
    await table.updateEntity(
      { partitionKey: PK, rowKey: `e|${pad(2)}`, doc0: JSON.stringify({ ...stored, outcome: 'granted' }) },
      'Merge',
    );
    await table.deleteEntity(PK, 'head');
    const expected = {
      intact: false,
      count: 2,
      brokenAtSeq: 2,
      problem: 'content does not match its hash (the entry was modified)',
    };
    await expect(log.verify()).resolves.toEqual(expected);
    await expect(sqliteVerdict(3, 3, 2)).resolves.toEqual(expected);
  });

  test('a new log (no head, no entries) is intact on both', async () => {
    const { log } = await tablesLog(0);
    await expect(log.verify()).resolves.toEqual({ intact: true, count: 0 });
    await expect(sqliteVerdict(0, 0)).resolves.toEqual({ intact: true, count: 0 });
  });
});
