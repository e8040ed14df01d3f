/**
 * `audit:verify --file`: what readExportFile refuses as no export (exit 2, nothing verified) and
 * what checkEachEntry names in a filtered export: a prevHash that does not link two consecutive
 * entries (the hash recomputed after it was changed), and an entry whose MAC was stripped after
 * signed ones, each with its own reason.
 */
// The module itself (a default import), so a spy on it sees export-file's reads.
import fs, { writeFileSync } from 'node:fs';
import { checkEachEntry, readExportFile } from '../../src/audit-cli/export-file';
import { CliError, EXIT } from '../../src/audit-cli/cli-error';
import { type AuditEntry, chainEntry, hashEntry } from '../../src/domain/audit-chain';
import { auditEvent } from './support/requests';
import { useTempDir } from './support/temp-dir';

const KEY = Buffer.alloc(32, 9);
const tmp = useTempDir('acrbot-audit-cli-export-file-shape-');

/** Entries 1..n of one log, signed with KEY. */
function chain(n: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  const t0 = Date.parse('2025-01-15T00:00:00.000Z');
  for (let i = 1; i <= n; i++) entries.push(chainEntry(auditEvent(i), entries.at(-1), new Date(t0 + i * 1000), KEY));
  return entries;
}

function fileOf(lines: unknown[]): string {
  const path = tmp.path('export.jsonl');
  writeFileSync(path, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  return path;
}

/** What readExportFile threw, as the CLI prints it. */
function refusal(path: string): { exitCode: number; message: string } {
  try {
    readExportFile(path);
  } catch (err) {
    if (err instanceof CliError) return { exitCode: err.exitCode, message: err.message };
    throw err;
  }
  throw new Error('readExportFile accepted the file');
}

afterEach(() => jest.restoreAllMocks());

describe('readExportFile', () => {
  test.each([0, -1, 1.5, '1', null])('a first line whose seq is %p is no audit entry: exit 2', (seq) => {
    const [first, ...rest] = chain(3);
    const path = fileOf([{ ...first, seq }, ...rest]);
    expect(refusal(path)).toEqual({
      exitCode: EXIT.usage,
      message: `line 1 of ${path} is not an audit entry: the file is not an audit:export --format jsonl file`,
    });
  });

  test('a read that fails is exit 2 naming the file, never a verdict', () => {
    const path = fileOf(chain(2));
    jest.spyOn(fs, 'readSync').mockImplementation(() => {
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    });
    expect(refusal(path)).toEqual({ exitCode: EXIT.usage, message: `cannot read ${path}: EIO: i/o error, read` });
  });
});

describe('checkEachEntry on a filtered export (seq 2 on)', () => {
  test('a prevHash changed and the hash recomputed: BROKEN at that entry for its link, not its hash', () => {
    const [, second, third, fourth] = chain(4);
    const { hash: _hash, ...content } = { ...third!, mac: undefined, prevHash: 'f'.repeat(64) };
    const relinked = { ...content, hash: hashEntry(content) };
    const file = readExportFile(fileOf([second, relinked, fourth]));
    expect(file.filtered).toBeDefined();
    expect(checkEachEntry(file)).toEqual({
      intact: false,
      count: 2,
      brokenAtSeq: 3,
      problem: 'prevHash does not match the previous entry',
    });
  });

  test('with the key, an entry whose MAC was stripped after signed ones is named for it', () => {
    const [, second, third, fourth] = chain(4);
    const { mac: _mac, ...stripped } = fourth!;
    const file = readExportFile(fileOf([second, third, stripped]));
    expect(checkEachEntry(file, KEY)).toEqual({
      intact: false,
      count: 3,
      brokenAtSeq: 4,
      problem: 'the entry has no MAC although earlier entries have one (written without the audit key)',
    });
  });
});
