/**
 * `audit:verify --file` keeps nothing per entry of the export: what `readExportFile` returns is the
 * file's shape alone (a million entries held by seq took some 190 MB of heap, read even without
 * anchors), and the few entries the anchors name are read back from the file by `exportLookup`,
 * all of them in one pass when asked in ascending order (as `checkAnchors` asks), at byte offsets
 * that multi-byte text does not shift. A filtered export's unsigned entries hold with the key
 * only where the file links them to the operator's signed adoption entry, as in a whole log.
 */
// The module itself (a default import), not a namespace copy, so a spy on it sees export-file's reads.
import fs, { writeFileSync } from 'node:fs';
import {
  checkEachEntry,
  exportAsAudit,
  exportLookup,
  formatFiltered,
  readExportFile,
} from '../../src/audit-cli/export-file';
import { anchorLine, checkAnchors } from '../../src/domain/audit-anchor';
import { type AuditEntry, chainEntry, KEY_ADOPTION_ACTION } from '../../src/domain/audit-chain';
import { auditEvent } from './support/requests';
import { useTempDir } from './support/temp-dir';

const KEY = Buffer.alloc(32, 7);
const tmp = useTempDir('acrbot-audit-cli-export-file-');

/** 300 signed entries, each line some 700 bytes with multi-byte characters: the file spans several read chunks. */
function exportFile(): { path: string; entries: AuditEntry[] } {
  const entries: AuditEntry[] = [];
  const t0 = Date.parse('2025-01-15T00:00:00.000Z');
  for (let i = 1; i <= 300; i++) {
    const detail = `event ${i} Zürich – 東京 ${'é'.repeat(i % 97)}${'x'.repeat(200)}`;
    entries.push(chainEntry(auditEvent(i, { detail }), entries.at(-1), new Date(t0 + i * 1000), KEY));
  }
  const path = tmp.path('export.jsonl');
  writeFileSync(path, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  return { path, entries };
}

const stated = (e: AuditEntry) => ({ hash: e.hash, ts: e.ts });

test('readExportFile keeps no entry: only the kind, the path and the count of a whole export', () => {
  const { path } = exportFile();
  expect(readExportFile(path)).toStrictEqual({ kind: 'export', path, count: 300 });
});

test('exportLookup finds the entry at each seq asked, in any order; a seq not in the file is undefined', () => {
  const { path, entries } = exportFile();
  const entryAt = exportLookup(path);
  for (const seq of [1, 150, 151, 299, 300, 300, 2, 299, 7])
    expect(entryAt(seq)).toStrictEqual(stated(entries[seq - 1]!));
  expect(entryAt(301)).toBeUndefined();
  expect(entryAt(0)).toBeUndefined();
  expect(entryAt(42)).toStrictEqual(stated(entries[41]!));
});

test('lookups in ascending seq order read the file once between them, not once each', () => {
  const { path, entries } = exportFile();
  const entryAt = exportLookup(path);
  const reads = jest.spyOn(fs, 'readSync');
  try {
    for (const seq of [3, 100, 101, 250, 300]) expect(entryAt(seq)).toStrictEqual(stated(entries[seq - 1]!));
    const bytes = reads.mock.results.reduce((sum, r) => sum + (r.value as number), 0);
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(fs.statSync(path).size);
  } finally {
    reads.mockRestore();
  }
});

test('checked against anchors, the export agrees with those naming its entries and is BROKEN at one that differs', async () => {
  const { path, entries } = exportFile();
  const at = (seq: number, hash = entries[seq - 1]!.hash) =>
    anchorLine({ seq, hash, mac: undefined }, new Date(entries[seq - 1]!.ts), KEY);
  const audit = exportAsAudit(readExportFile(path), KEY);
  const chain = await audit.verify();
  expect(chain).toEqual({ intact: true, count: 300 });
  const agree = await checkAnchors(chain, [at(300), at(1), at(128)], (s) => audit.entryAt(s), KEY, { notLive: true });
  expect(agree).toMatchObject({ intact: true, anchors: { agree: 3, upToSeq: 300 } });
  const other = exportAsAudit(readExportFile(path), KEY);
  const differs = await checkAnchors(chain, [at(1), at(200, 'f'.repeat(64))], (s) => other.entryAt(s), KEY, {
    notLive: true,
  });
  expect(differs).toMatchObject({ intact: false, brokenAtSeq: 200 });
});

/**
 * A log written without the key (seq 1-3), adopted by the operator (seq 4, `audit.key.enabled`,
 * the first signed entry) and signed from there on (seq 5-6); or, with `adopted` false, signed
 * from seq 4 on by a bot with the key and no adoption entry (a rewrite that dropped the MACs).
 */
function adoptedLog(adopted = true): AuditEntry[] {
  const entries: AuditEntry[] = [];
  const t0 = Date.parse('2025-01-15T00:00:00.000Z');
  for (let i = 1; i <= 6; i++) {
    const event = auditEvent(i, i === 4 && adopted ? { action: KEY_ADOPTION_ACTION } : {});
    entries.push(chainEntry(event, entries.at(-1), new Date(t0 + i * 1000), i >= 4 ? KEY : undefined));
  }
  return entries;
}

/** The entries at `seqs`, written as an export file and read back. */
function exportOf(entries: AuditEntry[], seqs: number[]) {
  const path = tmp.path('export.jsonl');
  writeFileSync(path, seqs.map((seq) => `${JSON.stringify(entries[seq - 1])}\n`).join(''));
  return readExportFile(path);
}

describe('checkEachEntry: unsigned entries of a filtered export, with the key', () => {
  test('linked through consecutive seqs to the adoption entry: they hold, and the verdict says what vouches for them', async () => {
    const file = exportOf(adoptedLog(), [2, 3, 4, 5, 6]);
    const verdict = checkEachEntry(file, KEY);
    expect(verdict).toEqual({ intact: true, count: 5, unsigned: 2 });
    expect(formatFiltered(file, verdict, false)).toContain(
      `MACs checked on 3 entries, 2 entries carry none (from before the key, vouched for by the signed ${KEY_ADOPTION_ACTION} entry after them)`,
    );
    // The whole export of the same log: verified as a chain, as before.
    await expect(exportAsAudit(exportOf(adoptedLog(), [1, 2, 3, 4, 5, 6]), KEY).verify()).resolves.toEqual({
      intact: true,
      count: 6,
      unkeyedPrefix: 3,
    });
  });

  test('not linked to it (the file stops, or skips a seq, before it): BROKEN at the first, which the file cannot tell from a forgery', () => {
    for (const seqs of [
      [2, 3],
      [1, 2],
      [2, 4, 5],
      [3, 5, 6],
    ]) {
      expect(checkEachEntry(exportOf(adoptedLog(), seqs), KEY)).toMatchObject({
        intact: false,
        brokenAtSeq: seqs[0],
        problem: expect.stringMatching(/^the entry carries no MAC and no signed entry in this export vouches for it/),
      });
      // Without the key, hashes only: they hold.
      expect(checkEachEntry(exportOf(adoptedLog(), seqs))).toMatchObject({ intact: true });
    }
  });

  test('followed by a signed entry that is not the adoption entry: BROKEN at the first unsigned one', () => {
    expect(checkEachEntry(exportOf(adoptedLog(false), [2, 3, 4, 5]), KEY)).toMatchObject({
      intact: false,
      brokenAtSeq: 2,
      problem: expect.stringContaining('the first signed entry after it (seq 4) is not the operator'),
    });
  });
});

test('a CSV export is named as one, an older release’s too (its header lacks the columns added since, such as facts)', () => {
  const older =
    'seq,ts,actor_object_id,actor_name,tenant_id,action,request_id,target_ids,outcome,detail,correlation_ids,prev_hash,hash,rule_id,policy_hash,idempotency_key\r\n';
  for (const header of [older, `${older.slice(0, -2)},facts\r\n`]) {
    const path = tmp.path('export.csv');
    writeFileSync(path, `${header}1,2025-01-15T00:00:00.000Z\r\n`);
    expect(() => readExportFile(path)).toThrow(/is a CSV export: verify reads the JSONL export/);
  }
});
