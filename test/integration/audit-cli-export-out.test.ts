/**
 * `audit:export`: `--out` never replaces the audit database (or its side files) and replaces an
 * existing file only with `--force`; an empty `--storage` is refused, not read as "the default
 * store"; `--until` bounds the export (exclusive); rows past the recorded head are warned about.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeOutFile } from '../../src/audit-cli/out-file';
import { runCliCaptured } from '../helpers/audit-cli-run';
import { writeAuditFile } from '../unit/support/audit-file';
import { HOUR } from '../unit/support/fake-clock';
import { useTempDir } from '../unit/support/temp-dir';

const tmp = useTempDir('acrbot-audit-cli-export-out-');

/** Entries at 2025-01-14T23:00Z, then every hour (`n` of them); the writer closed. */
const auditFile = (n: number): Promise<string> =>
  writeAuditFile(tmp.path('audit.db'), n, { start: '2025-01-14T22:00:00.000Z', step: HOUR });

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function cli(args: string[], env: Record<string, string> = {}) {
  return runCliCaptured(args, { ACRBOT_STORAGE: '', ACRBOT_AUDIT_KEY: '', ...env }, tmp.path('cwd'));
}

const exportTo = (path: string, out: string, ...more: string[]) =>
  cli(['export', '--format', 'csv', '--storage', `sqlite:${path}`, '--out', out, ...more]);

describe('export --out', () => {
  test('never the audit database or its side files, by name, symlink or hard link, even with --force', async () => {
    const path = await auditFile(3);
    const viaSymlink = tmp.path('link-to-db');
    symlinkSync(path, viaSymlink);
    const viaHardLink = tmp.path('hard-link-to-db');
    linkSync(path, viaHardLink);
    const before = sha256(path);
    for (const out of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`, viaSymlink, viaHardLink])
      for (const force of [[], ['--force']]) {
        const r = await exportTo(path, out, ...force);
        expect({ out, force, code: r.code, stdout: r.stdout }).toEqual({ out, force, code: 2, stdout: '' });
        expect(r.stderr).toContain('is the audit database under review');
        expect(r.stderr).toContain('nothing was written');
      }
    expect(sha256(path)).toBe(before);
    expect(existsSync(`${path}-journal`)).toBe(false);
    // Still a database: verify reads it.
    expect(await cli(['verify', '--storage', `sqlite:${path}`])).toMatchObject({ code: 0 });
  });

  test('refuses an existing file unless --force; --force replaces it', async () => {
    const path = await auditFile(2);
    const out = tmp.path('existing.csv');
    writeFileSync(out, 'an earlier export\n');
    const r = await exportTo(path, out);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toContain(`${out} already exists; nothing was written (add --force to replace it`);
    expect(readFileSync(out, 'utf8')).toBe('an earlier export\n');
    expect(await exportTo(path, out, '--force')).toMatchObject({ code: 0, stderr: `exported 2 entries to ${out}\n` });
    expect(readFileSync(out, 'utf8')).toMatch(/^\ufeffseq,/);
    // No side file left behind either way.
    expect(readdirSync(dirname(out)).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  test('one entry exported is said as one', async () => {
    const out = tmp.path('one.csv');
    expect(await exportTo(await auditFile(1), out)).toMatchObject({ code: 0, stderr: `exported 1 entry to ${out}\n` });
  });

  test('a file that appears while the export runs is not replaced (the move fails on it)', async () => {
    const out = tmp.path('appears.csv');
    await expect(
      writeOutFile({ out, force: false }, async (file) => {
        writeFileSync(out, 'written meanwhile\n');
        file.write('exported\n');
        return 1;
      }),
    ).rejects.toThrow(`${out} already exists; nothing was written`);
    expect(readFileSync(out, 'utf8')).toBe('written meanwhile\n');
    expect(readdirSync(dirname(out)).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  test("an earlier run's side file (the same pid, in another container) is neither in the way nor deleted", async () => {
    const out = tmp.path('leftover.csv');
    const leftover = `${out}.partial-${process.pid}`;
    writeFileSync(leftover, 'left by a run that was killed\n');
    await expect(
      writeOutFile({ out, force: false }, async (file) => {
        file.write('exported\n');
        return 1;
      }),
    ).resolves.toBe(1);
    expect(readFileSync(out, 'utf8')).toBe('exported\n');
    expect(readFileSync(leftover, 'utf8')).toBe('left by a run that was killed\n');
  });

  test('--force without --out is a usage error', async () => {
    const path = await auditFile(1);
    expect(await cli(['export', '--format', 'csv', '--storage', `sqlite:${path}`, '--force'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--force goes with --out'),
    });
  });
});

describe('--storage ""', () => {
  test.each([['verify'], ['export', '--format', 'jsonl']])(
    '%s: refused (exit 2), never the default store',
    async (...args) => {
      // ACRBOT_STORAGE names a real log: an empty flag must not fall back to it.
      const path = await auditFile(2);
      for (const empty of ['', '  ']) {
        const r = await cli([...args, '--storage', empty], { ACRBOT_STORAGE: `sqlite:${path}` });
        expect(r).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('--storage is empty') });
      }
    },
  );
});

describe('export --until', () => {
  const seqs = (stdout: string) =>
    stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { seq: number }).seq);
  const jsonl = (path: string, ...more: string[]) =>
    cli(['export', '--format', 'jsonl', '--storage', `sqlite:${path}`, ...more]);

  test('is exclusive, a date alone is midnight UTC, and it combines with --since', async () => {
    // seq 1 at 23:00 on the 14th, seq 2 at midnight, seq 3 at 01:00, seq 4 at 02:00.
    const path = await auditFile(4);
    const until = await jsonl(path, '--until', '2025-01-15');
    expect({ ...until, stdout: seqs(until.stdout) }).toEqual({ code: 0, stdout: [1], stderr: '' });
    const day = await jsonl(path, '--since', '2025-01-15', '--until', '2025-01-15T02:00:00+00:00');
    expect({ ...day, stdout: seqs(day.stdout) }).toEqual({ code: 0, stdout: [2, 3], stderr: '' });
  });

  test('a bad or empty range is a usage error', async () => {
    const path = await auditFile(1);
    expect(await jsonl(path, '--until', 'tomorrow')).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining('--until "tomorrow" is not an ISO 8601 date'),
    });
    expect(await jsonl(path, '--since', '2025-01-15', '--until', '2025-01-15')).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining('is not after --since'),
    });
  });
});

describe('export of rows past the recorded chain head', () => {
  test('warns on stderr (the log was altered), and says nothing on an intact log', async () => {
    const path = await auditFile(3);
    const args = ['export', '--format', 'jsonl', '--storage', `sqlite:${path}`];
    expect(await cli(args)).toMatchObject({ code: 0, stderr: '' });
    const db = new Database(path);
    db.exec('UPDATE audit_head SET seq = 1');
    db.close();
    const r = await cli(args);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'warning: 2 stored rows lie past the recorded chain head (seq 1) and were read by this export: the log was altered; run audit:verify\n',
    );
  });
});

describe('export of a log with an entry missing below the chain head', () => {
  test.each([
    ['from the middle', 3],
    ['at the start', 1],
    ['at the head (the head row left naming it)', 5],
  ])(
    'a row deleted %s stops the export naming its seq (exit 1, as on Azure Tables), and --out writes nothing',
    async (_, seq) => {
      const path = await auditFile(5);
      const db = new Database(path);
      db.exec('DROP TRIGGER IF EXISTS audit_no_delete');
      db.prepare('DELETE FROM audit WHERE seq = ?').run(seq);
      db.close();
      const out = tmp.path('gap.jsonl');
      const r = await exportTo(path, out);
      expect(r).toMatchObject({ code: 1, stdout: '' });
      expect(r.stderr).toBe(`audit-cli: the entry at seq ${seq} is missing; run audit:verify\n`);
      expect(existsSync(out)).toBe(false);
      // A filtered export reads the whole chain too: the gap is named whatever is selected.
      const filtered = await cli([
        'export',
        '--format',
        'jsonl',
        '--storage',
        `sqlite:${path}`,
        '--since',
        '2030-01-01',
      ]);
      expect(filtered).toMatchObject({ code: 1, stdout: '' });
    },
  );
});
