/**
 * `audit:export --format csv` carries an entry's `facts` (what a revocation attempt deleted before
 * a DELETE of its was refused, read back by the next attempt), as the JSONL export and `verify`
 * do: a column at the end, holding the field's JSON, neutralised like every other cell. Before,
 * the CSV left the field out, so a reader of the CSV could not see what the next attempt reads.
 */
import { PassThrough } from 'node:stream';
import { CSV_COLUMNS, entryCsvLine } from '../../src/audit-cli/csv';
import { exportEntries } from '../../src/audit-cli/export';
import { type AuditEntry, chainEntry } from '../../src/domain/audit-chain';
import { parseCsv } from './support/csv-rows';
import { auditEvent } from './support/requests';

async function csvOf(entries: AuditEntry[]): Promise<string> {
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
  return Buffer.concat(chunks).toString('utf8');
}

const DELETED = [
  '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contosoacr/tokens/acrbot-1',
  '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contosoacr/scopeMaps/acrbot-1',
];

test('the facts column holds the entry’s facts as JSON, after the older columns; an entry without facts leaves it empty', async () => {
  const first = chainEntry(auditEvent(1), undefined, new Date('2025-01-15T00:00:00.000Z'));
  const second = chainEntry(
    auditEvent(2, { action: 'revoke.failed', facts: { deleted: DELETED } }),
    first,
    new Date('2025-01-15T00:00:01.000Z'),
  );
  const [header, ...rows] = parseCsv(await csvOf([first, second]));
  // At the end, so scripts reading columns by position see the older ones where they were.
  expect(header).toEqual([...CSV_COLUMNS]);
  expect(header.at(-1)).toBe('facts');
  expect(header.indexOf('idempotency_key')).toBe(header.length - 2);
  expect(rows.every((row) => row.length === header.length)).toBe(true);
  const facts = (row: string[]) => row[header.indexOf('facts')];
  expect(facts(rows[0]!)).toBe('');
  expect(JSON.parse(facts(rows[1]!))).toEqual({ deleted: DELETED });
  // Quoted as RFC 4180 says (the JSON has commas and quotes), one cell.
  expect(entryCsvLine(second)).toContain(`,"${JSON.stringify({ deleted: DELETED }).replace(/"/g, '""')}"\r\n`);
});

test('a stored facts field that is not acrbot’s shape (the store was edited) is still one neutralised cell', () => {
  const entry = (facts: unknown) =>
    ({ ...chainEntry(auditEvent(1), undefined, new Date('2025-01-15T00:00:00.000Z')), facts }) as AuditEntry;
  const cell = (facts: unknown) => {
    const [header, row] = parseCsv(`${CSV_COLUMNS.join(',')}\r\n${entryCsvLine(entry(facts))}`);
    expect(row).toHaveLength(header!.length);
    return row![header!.indexOf('facts')];
  };
  // A spreadsheet would evaluate these: the leading ' keeps them text, as in every column.
  expect(cell(-1)).toBe("'-1");
  expect(cell({ deleted: ['=1+1'] })).toBe('{"deleted":["=1+1"]}');
  // A separator Excel splits on in much of Europe is quoted, so no second cell starts with a formula.
  expect(entryCsvLine(entry({ a: [';=1+2'] }))).toContain(',"{""a"":["";=1+2""]}"\r\n');
  // Control characters JSON leaves raw (DEL, C1) reach no terminal.
  expect(cell({ deleted: ['x\u007f\u009b2J'] })).toBe('{"deleted":["x\\u007f\\u009b2J"]}');
  expect(cell(null)).toBe('');
});
