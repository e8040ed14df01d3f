/**
 * The CSV exports for readers of other scripts than Latin's: the audit CLI's CSV starts with the
 * UTF-8 byte order mark, as the tab's download does, so Excel opened by double-click shows "Zoë",
 * not "ZoÃ«", and `verify --file` still names such a file a CSV (and refuses it, as before). A bidi
 * control in an entry stored before they were cleaned ("aks-\u202Edorp\u202C" reads "aks-prod")
 * reaches no cell, in the CLI's CSV or the tab's (one cell function). A formula behind a
 * full-width sign, or behind characters a reader does not see, is neutralised like an ASCII one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { csvCell, entryCsvLine } from '../../src/audit-cli/csv';
import { exportEntries } from '../../src/audit-cli/export';
import { readExportFile } from '../../src/audit-cli/export-file';
import { type AuditEntry, chainEntry } from '../../src/domain/audit-chain';
import type { Row } from '../../web/src/types';
import { parseCsv } from './support/csv-rows';
import { auditEvent } from './support/requests';
import { useTempDir } from './support/temp-dir';

// Loaded with require(): csv.ts also offers the download, which needs the DOM lib.
const { rowsCsv } = require('../../web/src/csv') as { rowsCsv(rows: readonly Row[]): string };

const tmp = useTempDir('acrbot-audit-csv-unicode-');

/** Every bidi control cards and the tab drop: embeddings and overrides, isolates, LRM, RLM, ALM. */
const BIDI = [
  '\u202A',
  '\u202B',
  '\u202C',
  '\u202D',
  '\u202E',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u200E',
  '\u200F',
  '\u061C',
];
const HAS_BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;

/** An entry as a store written before bidi controls were cleaned may hold it. */
const stored = (over: Partial<AuditEntry>): AuditEntry => ({
  ...chainEntry(auditEvent(1), undefined, new Date('2025-01-15T00:00:00.000Z')),
  ...over,
});

async function csvBytes(entries: AuditEntry[]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportEntries(
    (async function* () {
      yield* entries;
    })(),
    out,
    { format: 'csv' },
  );
  out.end();
  return Buffer.concat(chunks);
}

describe('the CLI’s CSV starts with the UTF-8 byte order mark', () => {
  test('EF BB BF, then the header; names in other scripts as written', async () => {
    const bytes = await csvBytes([stored({ actor: { objectId: 'o-1', name: 'Zoë Ångström 李小龍' } })]);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3, 7).toString('utf8')).toBe('seq,');
    const [header, row] = parseCsv(bytes.toString('utf8'));
    expect(row![header!.indexOf('actor_name')]).toBe('Zoë Ångström 李小龍');
  });

  test('an export of no entries is the mark and the header', async () => {
    const text = (await csvBytes([])).toString('utf8');
    expect(text.startsWith('\ufeffseq,ts,')).toBe(true);
    expect(text.split('\r\n')).toHaveLength(2);
  });

  test('verify --file names the CSV, with its mark, a CSV export and verifies nothing', async () => {
    const path = tmp.path('export.csv');
    writeFileSync(path, await csvBytes([stored({}), stored({ seq: 2 })]));
    expect(readFileSync(path).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(() => readExportFile(path)).toThrow(/is a CSV export: verify reads the JSONL export/);
  });

  test('a JSONL export is still read as one (the mark is only skipped to recognise a CSV)', () => {
    const path = tmp.path('export.jsonl');
    writeFileSync(path, `${JSON.stringify(stored({}))}\n`);
    expect(readExportFile(path)).toMatchObject({ kind: 'export', count: 1 });
  });
});

describe('no bidi control reaches a cell', () => {
  test('a detail that reads "aks-prod" only because of U+202E reads as stored, in every column', () => {
    const line = entryCsvLine(
      stored({
        actor: { objectId: 'o-1', name: 'Eve \u202Eplatform-team\u202C' },
        detail: 'grant aks-\u202Edorp\u202C → acr: \u2066deploy\u2069',
        facts: { deleted: ['\u202Eabc'] },
      }),
    );
    expect(line).not.toMatch(HAS_BIDI);
    expect(line).toContain('grant aks-dorp → acr: deploy');
    expect(line).toContain('Eve platform-team');
  });

  test.each(BIDI.map((c) => [`U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`, c]))(
    '%s is dropped',
    (_name, c) => {
      expect(csvCell(`a${c}b`)).toBe('ab');
    },
  );

  test('the tab’s CSV too (the same cell function)', () => {
    const row = {
      key: 'k',
      kind: 'grant',
      how: 'acrbot-role',
      howText: 'AcrPull',
      state: 'active',
      cluster: { id: '/c', name: 'aks-\u202Edorp\u202C', subscriptionId: 's' },
      registry: { id: '/r', name: 'contosoacr' },
      requester: { objectId: 'o', name: '\u2067Eve\u2069' },
      reason: 'deploy \u200Fit',
      approvers: [],
    } as unknown as Row;
    const csv = rowsCsv([row]);
    expect(csv).not.toMatch(HAS_BIDI);
    expect(csv).toContain('aks-dorp');
  });
});

describe('a formula behind a full-width sign or an invisible character is neutralised', () => {
  test.each([
    ['full-width =', '＝1+2', "'＝1+2"],
    ['full-width +', '＋cmd', "'＋cmd"],
    ['full-width -', '－1+1', "'－1+1"],
    ['full-width @', '＠SUM(1)', "'＠SUM(1)"],
    ['a BOM before =', '\uFEFF=1+2', "'\uFEFF=1+2"],
    ['a zero-width space before =', '\u200B=HYPERLINK("x")', `"'\u200B=HYPERLINK(""x"")"`],
    ['a no-break space before =', '\u00A0=1+2', "'\u00A0=1+2"],
    ['a space before =', ' =1+2', "' =1+2"],
    ['a word joiner before @', '\u2060@SUM(A1)', "'\u2060@SUM(A1)"],
    // A bidi control before the sign is dropped, and the formula it hid is then seen.
    ['an ALM (U+061C) before =', '\u061C=1', "'=1"],
    ['an RLO (U+202E) before =', '\u202E=1+2', "'=1+2"],
  ])('%s: guarded', (_name, value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  test.each(['Zoë', '李小龍', 'a ＝ b', 'x-1', '１２３', ' plain'])('%j is left as it is', (value) => {
    expect(csvCell(value)).toBe(value);
  });
});
