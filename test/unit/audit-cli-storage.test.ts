/**
 * Which store the audit CLI reviews, and ACRBOT_TABLE_PREFIX beside it: refused with the store
 * the environment names when that store has no tables (as the bot refuses it), kept for a
 * `--storage tables:…`, and left out for a `--storage sqlite:<path>`, which reviews that file.
 */
import { resolve } from 'node:path';
import { resolveAuditStorage } from '../../src/audit-cli/storage';
import { CliError } from '../../src/audit-cli/cli-error';
import { ConfigError } from '../../src/config/config';

const TABLES = 'tables:https://acct.table.core.windows.net';

describe('resolveAuditStorage and ACRBOT_TABLE_PREFIX', () => {
  test('with ACRBOT_STORAGE=sqlite:… from the environment the prefix is refused, as the bot refuses it', () => {
    const review = () =>
      resolveAuditStorage(undefined, { ACRBOT_STORAGE: 'sqlite:./data/acrbot.db', ACRBOT_TABLE_PREFIX: 'acrbotprod' });
    expect(review).toThrow(CliError);
    expect(review).toThrow(/^ACRBOT_TABLE_PREFIX applies only to ACRBOT_STORAGE=tables:…/);
  });

  test('with ACRBOT_STORAGE=tables:… it names the tables', () => {
    expect(resolveAuditStorage(undefined, { ACRBOT_STORAGE: TABLES, ACRBOT_TABLE_PREFIX: 'acrbotprod' })).toEqual({
      kind: 'tables',
      connection: { kind: 'identity', endpoint: 'https://acct.table.core.windows.net' },
      prefix: 'acrbotprod',
    });
  });

  test('--storage tables:… takes the prefix from the environment', () => {
    expect(resolveAuditStorage(TABLES, { ACRBOT_TABLE_PREFIX: 'acrbotprod' })).toMatchObject({
      kind: 'tables',
      prefix: 'acrbotprod',
    });
  });

  test("--storage sqlite:<path> reviews that file beside the environment's tables and their prefix", () => {
    const env = { ACRBOT_STORAGE: TABLES, ACRBOT_TABLE_PREFIX: 'acrbotprod' };
    expect(resolveAuditStorage('sqlite:./backup/acrbot.db', env)).toEqual({
      kind: 'sqlite',
      path: resolve('./backup/acrbot.db'),
    });
  });
});

describe('a CliError made from a failure keeps it as its cause', () => {
  test('settings that do not load: the sentence to print, the ConfigError as cause', () => {
    let thrown: unknown;
    try {
      resolveAuditStorage('sqlite:', {});
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as CliError).cause).toBeInstanceOf(ConfigError);
    expect((thrown as CliError).message).toBe((((thrown as CliError).cause as ConfigError).problems ?? []).join('\n'));
  });
});
