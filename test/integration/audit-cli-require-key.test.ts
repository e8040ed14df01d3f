/**
 * `audit:verify --require-key` (the scheduled check) and the sandbox's key file: an empty or
 * wiped-and-restarted log, or one checked without anchors, is never a pass by default; a key
 * file that is not the log's key is "not verified" (exit 2), never a false BROKEN.
 */
import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { runCliCaptured } from '../helpers/audit-cli-run';
import { FakeClock, SECOND } from '../unit/support/fake-clock';
import { auditEvent } from '../unit/support/requests';
import { useTempDir } from '../unit/support/temp-dir';

const tmp = useTempDir('acrbot-audit-cli-require-key-');
const KEY = Buffer.alloc(32, 21);
const OTHER_KEY = Buffer.alloc(32, 22);

/** A SQLite audit file with `n` entries, signed with `key`. */
async function keyedLog(n: number, key = KEY): Promise<string> {
  const path = tmp.path('audit.db');
  await appendTo(path, n, key);
  return path;
}

async function appendTo(path: string, n: number, key: Buffer): Promise<void> {
  const db = openSqlite(path);
  const clock = new FakeClock();
  const log = new SqliteAuditLog(db, clock, key);
  for (let i = 1; i <= n; i++) {
    clock.advance(SECOND);
    await log.append(auditEvent(i));
  }
  db.close();
}

/** Someone with write access to the file: triggers dropped, then `sql`. */
function tamper(path: string, sql: string): void {
  const db = new Database(path);
  db.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;');
  db.exec(sql);
  db.close();
}

/** A working directory without `.data/audit.key`, or with one holding `key`. */
function workDir(key?: Buffer): string {
  const cwd = tmp.path('cwd');
  mkdirSync(join(cwd, '.data'), { recursive: true });
  if (key) writeFileSync(join(cwd, '.data', 'audit.key'), key.toString('base64'), { mode: 0o600 });
  return cwd;
}

/** `audit-cli verify --storage sqlite:<path> <args>` with exactly `env`, in `cwd`. */
function verify(path: string, args: string[], env: Record<string, string>, cwd = workDir()) {
  return runCliCaptured(['verify', '--storage', `sqlite:${path}`, ...args], { ACRBOT_STORAGE: '', ...env }, cwd);
}

const withKey = { ACRBOT_AUDIT_KEY: KEY.toString('base64') };

describe('verify --require-key without ACRBOT_AUDIT_ANCHOR', () => {
  test('is not verified (exit 2, nothing on stdout) unless --no-anchor accepts the limit', async () => {
    const path = await keyedLog(3);
    const r = await verify(path, ['--require-key'], withKey);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toContain(
      'audit-cli: not verified: without ACRBOT_AUDIT_ANCHOR a log cut back or wiped and restarted passes; set it (docs/operations.md), or add --no-anchor',
    );
    expect(await verify(path, ['--require-key', '--no-anchor'], withKey)).toMatchObject({
      code: 0,
      stdout: 'intact, 3 entries; MACs checked on all 3 entries\n',
    });
  });

  test('a wiped log is not verified (exit 2), although the plain check calls it intact', async () => {
    const path = await keyedLog(3);
    tamper(path, 'DELETE FROM audit; DELETE FROM audit_head;');
    expect(await verify(path, [], withKey)).toMatchObject({ code: 0, stdout: 'intact, 0 entries\n' });
    const r = await verify(path, ['--require-key', '--no-anchor'], withKey);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toContain('audit-cli: not verified: the log has no entries');
  });

  test('a wiped log the bot restarted is refused without anchors (--no-anchor: the documented limit)', async () => {
    const path = await keyedLog(5);
    tamper(path, 'DELETE FROM audit; DELETE FROM audit_head;');
    await appendTo(path, 1, KEY);
    expect(await verify(path, ['--require-key'], withKey)).toMatchObject({ code: 2, stdout: '' });
    // What only anchors can see: documented next to --require-key in docs/operations.md.
    expect(await verify(path, ['--require-key', '--no-anchor'], withKey)).toMatchObject({
      code: 0,
      stdout: 'intact, 1 entry; MACs checked on its 1 entry\n',
    });
  });

  test('--no-anchor alone is a usage error', async () => {
    const path = await keyedLog(1);
    const r = await verify(path, ['--no-anchor'], withKey);
    expect(r).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining('--no-anchor goes with --require-key'),
    });
  });
});

describe("verify with the sandbox's .data/audit.key (ACRBOT_AUDIT_KEY unset)", () => {
  test('names the key file it checks with', async () => {
    const path = await keyedLog(2);
    const cwd = workDir(KEY);
    const r = await verify(path, [], {}, cwd);
    expect(r).toMatchObject({ code: 0, stdout: 'intact, 2 entries; MACs checked on all 2 entries\n' });
    expect(r.stderr).toContain(
      `note: ACRBOT_AUDIT_KEY is unset; checking MACs with the key in ${resolve(cwd, '.data', 'audit.key')}`,
    );
  });

  test('a key file no MAC of the log matches: not verified (exit 2), not BROKEN', async () => {
    const path = await keyedLog(3);
    const cwd = workDir(OTHER_KEY);
    const keyFile = join(cwd, '.data', 'audit.key');
    for (const args of [[], ['--require-key', '--no-anchor']]) {
      const r = await verify(path, args, {}, cwd);
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(r.stderr).toContain(
        `audit-cli: not verified: ${keyFile} is not this log's key (no entry's MAC matches it); set ACRBOT_AUDIT_KEY`,
      );
    }
  });

  test("with a key file that is not the log's, a broken hash chain is still BROKEN (exit 1)", async () => {
    const path = await keyedLog(3);
    tamper(path, `UPDATE audit SET entry = replace(entry, 'event 2', 'event 9') WHERE seq = 2`);
    const cwd = workDir(OTHER_KEY);
    const r = await verify(path, [], {}, cwd);
    expect(r).toMatchObject({
      code: 1,
      stdout: 'BROKEN at seq 2: content does not match its hash (the entry was modified)\n',
    });
    expect(r.stderr).toContain("is not this log's key (no entry's MAC matches it); MACs not checked (hash chain only)");
  });

  test('the right key file still names a forged MAC (exit 1): other entries match it', async () => {
    const path = await keyedLog(3);
    tamper(path, `UPDATE audit SET entry = json_set(entry, '$.mac', '${'a'.repeat(64)}') WHERE seq = 2`);
    const r = await verify(path, [], {}, workDir(KEY));
    expect(r).toMatchObject({ code: 1, stdout: expect.stringMatching(/^BROKEN at seq 2: the MAC does not match/) });
  });

  test('a key given in ACRBOT_AUDIT_KEY is never second-guessed: another key is BROKEN (exit 1)', async () => {
    const path = await keyedLog(2);
    const r = await verify(path, [], { ACRBOT_AUDIT_KEY: OTHER_KEY.toString('base64') });
    expect(r).toMatchObject({ code: 1, stdout: expect.stringMatching(/^BROKEN at seq 1: the MAC does not match/) });
  });
});
