/**
 * `audit:export --out` refuses an existing file before the export runs, not only when the
 * finished file is moved into place: an export of a large log is not read only to be refused.
 * A file it cannot write is a usage problem (exit 2), never read as a broken chain (exit 1).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeOutFile } from '../../src/audit-cli/out-file';
import { useTempDir } from '../unit/support/temp-dir';

const tmp = useTempDir('acrbot-audit-cli-out-file-guard-');

test('an existing --out without --force: refused (exit 2) before anything is exported', async () => {
  const out = tmp.path('existing.jsonl');
  writeFileSync(out, 'an earlier export\n');
  const write = jest.fn(async () => 0);
  await expect(writeOutFile({ out, force: false }, write)).rejects.toMatchObject({
    exitCode: 2,
    message: `${out} already exists; nothing was written (add --force to replace it, or choose another file)`,
  });
  expect(write).not.toHaveBeenCalled();
  expect(readFileSync(out, 'utf8')).toBe('an earlier export\n');
  expect(readdirSync(dirname(out)).filter((f) => f.includes('.partial-'))).toEqual([]);
});

test('an --out in a folder that does not exist: exit 2 (a file problem, not a broken chain), named after --out', async () => {
  const out = tmp.path('no-such-folder/export.jsonl');
  await expect(writeOutFile({ out, force: false }, async () => 0)).rejects.toMatchObject({
    exitCode: 2,
    message: `cannot write ${out}: its folder does not exist`,
  });
});
