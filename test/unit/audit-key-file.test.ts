/**
 * The sandbox's audit key file (`.data/audit.key`): a damaged one stops the bot and the audit CLI
 * with a sentence naming the file, instead of becoming a short or empty key (Buffer's base64
 * decoding skips what it cannot read), which would sign entries with a key anyone can guess.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditKeyFromText, readAuditKeyFile } from '../../src/config/audit-key';
import { loadConfig } from '../../src/config/config';
import { auditKeyFor } from '../../src/composition/stores';
import { TempDirs } from '../helpers/temp-dirs';

const temp = new TempDirs();
const home = process.cwd();
afterEach(() => {
  process.chdir(home);
  temp.removeAll();
});

const KEY = Buffer.alloc(32, 7).toString('base64');

test('a key is base64 of 32 bytes or more; anything else is none', () => {
  expect(auditKeyFromText(`${KEY}\n`)).toEqual(Buffer.alloc(32, 7));
  for (const text of ['', '   ', KEY.slice(0, 20), `${KEY.slice(0, 10)}!!${KEY.slice(10)}`, 'not a key at all'])
    expect(auditKeyFromText(text)).toBeUndefined();
});

test('a damaged key file is an error that names the file and never repeats what it holds', () => {
  const dir = temp.make('acrbot-key-');
  const file = join(dir, 'audit.key');
  const damaged = KEY.slice(0, 30);
  writeFileSync(file, damaged);
  expect(() => readAuditKeyFile(file)).toThrow(`${file} holds no audit key`);
  expect(() => readAuditKeyFile(file)).not.toThrow(damaged);
});

test('the sandbox bot refuses to start on a damaged key file, and keeps a sound one as it is', () => {
  const cwd = temp.make('acrbot-sandbox-');
  mkdirSync(join(cwd, '.data'));
  process.chdir(cwd);
  const config = loadConfig({ ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'sqlite:.data/acrbot.db' });
  writeFileSync(join(cwd, '.data', 'audit.key'), '');
  expect(() => auditKeyFor(config)).toThrow(/audit\.key holds no audit key .*restore it from a backup/);
  writeFileSync(join(cwd, '.data', 'audit.key'), KEY);
  expect(auditKeyFor(config)).toEqual(Buffer.alloc(32, 7));
  expect(readFileSync(join(cwd, '.data', 'audit.key'), 'utf8')).toBe(KEY);
});
