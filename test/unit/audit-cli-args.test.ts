/**
 * The audit CLI's arguments where a mistake would read, write or select something else than the
 * operator meant: an empty --file, a time without an offset (local time differs between laptop
 * and server), a day that is not on the calendar, a request id typed in lower case, --help after
 * other flags, and a stray positional argument.
 */
import { parseCliArgs } from '../../src/audit-cli/args';
import { CliError, EXIT } from '../../src/audit-cli/cli-error';

/** The CliError `argv` is refused with. */
function refusal(argv: string[]): CliError {
  try {
    parseCliArgs(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return err as CliError;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('audit CLI arguments', () => {
  it('refuses an empty --file (an unset shell variable) as a usage error, not a path', () => {
    const err = refusal(['verify', '--file', '']);
    expect(err.exitCode).toBe(EXIT.usage);
    expect(err.message).toMatch(/^--file is empty/);
  });

  it.each(['2025-01-15T09:00', '2025-01-15T09:00:00', '2025-01-15T09:00:00.5'])(
    'refuses a date-time without an offset (%s): it would be read in local time',
    (since) => {
      const err = refusal(['export', '--format', 'jsonl', '--since', since]);
      expect(err.exitCode).toBe(EXIT.usage);
      expect(err.message).toMatch(/^--since ".*" is not an ISO 8601 date/);
    },
  );

  it.each(['2025-02-30', '2025-04-31', '2025-02-29T00:00:00Z'])('refuses a day not on the calendar (%s)', (until) => {
    expect(refusal(['export', '--format', 'csv', '--until', until]).message).toMatch(/^--until ".*" is not an ISO/);
  });

  it('accepts a date-time with an offset, as the instant it names', () => {
    expect(parseCliArgs(['export', '--format', 'csv', '--since', '2025-01-15T09:00+02:00'])).toMatchObject({
      since: '2025-01-15T07:00:00.000Z',
    });
  });

  it('selects by the request id in its canonical upper case, whatever case was typed', () => {
    expect(parseCliArgs(['export', '--format', 'jsonl', '--request', 'r-7kq2m9xd'])).toMatchObject({
      requestId: 'R-7KQ2M9XD',
    });
  });

  it('answers --help after other flags with the usage, not the command', () => {
    expect(parseCliArgs(['export', '--format', 'csv', '--help'])).toEqual({ command: 'help' });
    expect(parseCliArgs(['verify', '-h'])).toEqual({ command: 'help' });
  });

  it('refuses a positional argument with exit 2 (a path given without --file or --out)', () => {
    const err = refusal(['verify', 'audit.jsonl']);
    expect(err.exitCode).toBe(EXIT.usage);
    expect(err.message).toContain('usage:');
  });

  it('leaves out force unless --force was given', () => {
    expect(parseCliArgs(['export', '--format', 'csv', '--out', 'x.csv'])).not.toHaveProperty('force');
  });
});
