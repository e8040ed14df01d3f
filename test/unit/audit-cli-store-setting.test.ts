/**
 * The store the audit CLI reads must be one that outlives the process: an in-memory store (the
 * bot's `memory`, or SQLite's `:memory:`) would be an empty log, verified as if it were the real
 * one, so both are refused.
 */
import { CliError } from '../../src/audit-cli/cli-error';
import { resolveReadableStorage } from '../../src/audit-cli/store-setting';

const refusals = { emptyFlag: 'empty flag', memory: 'an in-memory store has no log to read' };

describe('resolveReadableStorage', () => {
  it.each(['memory', 'sqlite::memory:'])('refuses %s as the store to read', (flag) => {
    expect(() => resolveReadableStorage(flag, {}, refusals)).toThrow(
      new CliError('an in-memory store has no log to read'),
    );
  });

  it('reads a SQLite file by its absolute path', () => {
    expect(resolveReadableStorage('sqlite:data/acrbot.db', {}, refusals)).toEqual({
      kind: 'sqlite',
      path: expect.stringMatching(/^\/.*\/data\/acrbot\.db$/),
    });
  });
});
