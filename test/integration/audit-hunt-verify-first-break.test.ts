/**
 * `npm run audit:verify` on SQLite names the first place the log was altered: an entry
 * modified at seq 2 and a row garbled (not JSON) further on are reported at seq 2, as the chain
 * check reads them, not at the garbled row.
 */
import Database from 'better-sqlite3';
import { runCliCaptured } from '../helpers/audit-cli-run';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { emptyWorkDir } from '../helpers/test-work-dir';
import { FakeClock, SECOND } from '../unit/support/fake-clock';
import { auditEvent } from '../unit/support/requests';
import { useTempDir } from '../unit/support/temp-dir';

const tmp = useTempDir('acrbot-audit-hunt-cli-');
const KEY = Buffer.alloc(32, 6);

/** A file of `n` keyed entries; `sql` then run by a connection that dropped the append-only triggers. */
async function tamperedFile(n: number, sql: string): Promise<string> {
  const path = tmp.path('audit.db');
  const db = openSqlite(path);
  const clock = new FakeClock();
  const log = new SqliteAuditLog(db, clock, KEY);
  for (let i = 1; i <= n; i++) {
    clock.advance(SECOND);
    await log.append(auditEvent(i));
  }
  db.close();
  const attacker = new Database(path);
  attacker.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;');
  attacker.exec(sql);
  attacker.close();
  return path;
}

async function verify(path: string): Promise<{ code: number; stdout: string }> {
  const { code, stdout } = await runCliCaptured(
    ['verify', '--storage', `sqlite:${path}`],
    { PATH: process.env.PATH, ACRBOT_AUDIT_KEY: KEY.toString('base64') },
    emptyWorkDir(),
  );
  return { code, stdout };
}

describe('audit:verify names the first break, not a garbled row after it', () => {
  test('an entry modified at seq 2, a row garbled at seq 4: BROKEN at seq 2', async () => {
    const path = await tamperedFile(
      5,
      `UPDATE audit SET entry = json_set(entry, '$.outcome', 'granted') WHERE seq = 2;
       UPDATE audit SET entry = 'not json' WHERE seq = 4;`,
    );
    expect(await verify(path)).toEqual({
      code: 1,
      stdout: 'BROKEN at seq 2: content does not match its hash (the entry was modified)\n',
    });
  });

  test('an entry deleted at seq 2, a row garbled at seq 4: BROKEN at seq 3, where the gap shows', async () => {
    const path = await tamperedFile(
      5,
      `DELETE FROM audit WHERE seq = 2;
       UPDATE audit SET entry = 'not json' WHERE seq = 4;`,
    );
    expect(await verify(path)).toEqual({
      code: 1,
      stdout: expect.stringMatching(/^BROKEN at seq 3: /) as string,
    });
  });

  test('a garbled row alone is still named at its seq', async () => {
    const path = await tamperedFile(5, `UPDATE audit SET entry = 'not json' WHERE seq = 4;`);
    expect(await verify(path)).toEqual({
      code: 1,
      stdout: 'BROKEN at seq 4: the entry is not valid JSON (it was modified)\n',
    });
  });
});
