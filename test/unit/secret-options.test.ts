/** checkSecretOptions: what a typed `secret` option may be; a bad one is refused, never widened. */
import { UserFacingError } from '../../src/domain/errors';
import { checkSecretOptions, SECRET_DEFAULTS } from '../../src/domain/secret-options';

const MAX = 90 * 86_400_000;

function refusal(options: Parameters<typeof checkSecretOptions>[0]): UserFacingError {
  try {
    checkSecretOptions(options, MAX);
  } catch (err) {
    expect(err).toBeInstanceOf(UserFacingError);
    return err as UserFacingError;
  }
  throw new Error('expected checkSecretOptions to refuse');
}

describe('--repositories', () => {
  test('a list is trimmed and kept', () => {
    expect(checkSecretOptions({ repositories: ' team/app , team/worker,' }, MAX).repositories).toEqual([
      'team/app',
      'team/worker',
    ]);
  });

  test('left out: every repository (an empty list)', () => {
    expect(checkSecretOptions({}, MAX)).toMatchObject({ repositories: [], kind: SECRET_DEFAULTS.kind });
  });

  test.each([',', ' , ,, ', '', ' '])('%j names nothing and is refused, not read as every repository', (value) => {
    const err = refusal({ repositories: value });
    expect(err.code).toBe('validation.option');
    expect(err.message).toMatch(/^--repositories names no repository: .*Nothing was requested\.$/);
  });

  test('a bad name is refused', () => {
    expect(refusal({ repositories: 'team/app,Bad Name' }).message).toMatch(/"Bad Name" is not a valid repository/);
  });
});
