/**
 * `audit:export` of a SQLite log whose stored rows were altered: a row that is not JSON, or JSON
 * that is an array, stops the export (exit 1, naming the seq) rather than being skipped; and a seq
 * missing from the chain stops it at the first row past the gap, so no later row reaches stdout
 * even once earlier rows were already flushed (the export writes in 64 KiB chunks).
 */
import Database from 'better-sqlite3';
import { runCliCaptured } from '../helpers/audit-cli-run';
import { writeAuditFile } from '../unit/support/audit-file';
import { useTempDir } from '../unit/support/temp-dir';

const tmp = useTempDir('acrbot-audit-cli-export-rows-');

/** A database file holding `n` entries appended by the bot's own writer, then closed. */
const auditFile = (n: number): Promise<string> => writeAuditFile(tmp.path('audit.db'), n);

/** A second ("attacker") connection that removes the append-only triggers first. */
function tamper(path: string, sql: string): void {
  const attacker = new Database(path);
  attacker.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;');
  attacker.exec(sql);
  attacker.close();
}

const exportOf = (path: string, format: string) =>
  runCliCaptured(
    ['export', '--format', format, '--storage', `sqlite:${path}`],
    { ACRBOT_STORAGE: '', ACRBOT_AUDIT_KEY: '' },
    tmp.path('cwd'),
  );

/** The seqs of the JSONL lines on stdout. */
const seqsOf = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { seq: number }).seq);

// Enough entries that the rows before seq GAP fill more than one 64 KiB chunk of output.
const ENTRIES = 600;
const GAP = 500;

describe('export of stored rows that are no entries', () => {
  test.each([
    ['not JSON', "'not json'", 'is not valid JSON'],
    ['JSON cut short', `'{"seq":3,'`, 'is not valid JSON'],
    ['a JSON array', `'[1,2,3]'`, 'is not an audit entry'],
    ['an empty JSON array', `'[]'`, 'is not an audit entry'],
  ])('a row that is %s stops the export with exit 1 naming its seq, never skipped', async (_, stored, says) => {
    const path = await auditFile(5);
    tamper(path, `UPDATE audit SET entry = ${stored} WHERE seq = 3`);
    for (const format of ['jsonl', 'csv']) {
      const r = await exportOf(path, format);
      expect({ format, code: r.code, stderr: r.stderr }).toEqual({
        format,
        code: 1,
        stderr: `audit-cli: the entry at seq 3 ${says}; run audit:verify\n`,
      });
      // Rows 1 and 2 fit in the first chunk, which is never written once the export stops.
      expect(r.stdout).toBe('');
    }
  });

  test('past a flushed chunk, rows after an unreadable row never reach stdout', async () => {
    const path = await auditFile(ENTRIES);
    tamper(path, `UPDATE audit SET entry = 'not json' WHERE seq = ${GAP}`);
    const r = await exportOf(path, 'jsonl');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`audit-cli: the entry at seq ${GAP} is not valid JSON; run audit:verify\n`);
    const seqs = seqsOf(r.stdout);
    expect(seqs.length).toBeGreaterThan(0); // a chunk was flushed before the bad row
    expect(Math.max(...seqs)).toBeLessThan(GAP);
  });
});

describe('export of a log with a seq missing', () => {
  test('stops at the first row past the gap: rows before it may have been written, none after it', async () => {
    const path = await auditFile(ENTRIES);
    tamper(path, `DELETE FROM audit WHERE seq = ${GAP}`);
    const r = await exportOf(path, 'jsonl');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`audit-cli: the entry at seq ${GAP} is missing; run audit:verify\n`);
    const seqs = seqsOf(r.stdout);
    expect(seqs.length).toBeGreaterThan(0);
    // What was written is a run from seq 1 with nothing from beyond the gap.
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(Math.max(...seqs)).toBeLessThan(GAP);
  });
});
