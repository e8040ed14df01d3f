/**
 * A reason that starts with a length in a digit `--for` does not read (`²h testing`, `for ① week`,
 * `८ days of testing`): meant as the term, it was kept as words of the reason and the request got
 * the default term (30 days), while `--for ²h` is refused naming `²`. Refused as a length is, naming
 * the character; nothing is requested.
 */
import { parseCommand } from '../../src/domain/command';
import { UserFacingError } from '../../src/domain/errors';
import { checkReasonAnswer } from '../../src/domain/reason-reply';

function refusal(run: () => unknown): UserFacingError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(UserFacingError);
    return err as UserFacingError;
  }
  throw new Error('expected a refusal');
}

const DIGITS =
  'write --for and the term in digits 0–9 (like --for 3d or --for 8h) before the reason. Nothing was requested.';

describe('a command whose reason starts with such a length is refused, naming the character', () => {
  test.each([
    ['grant aks-dev contosoacr ²h testing', '"²h" reads as a length, but ² is a superscript digit'],
    ['grant aks-dev contosoacr ①d, testing', '"①d" reads as a length, but ① is a circled number'],
    ['grant aks-dev contosoacr 𝟖h testing', '"𝟖h" reads as a length, but 𝟖 is a mathematical digit'],
    ['grant aks-dev contosoacr ८ days of testing', '"८ days" reads as a length, but ८ is a Devanagari digit'],
    ['grant aks-dev contosoacr for ² weeks to test', '"for ² weeks" reads as a length, but ² is a superscript digit'],
    ['grant aks-dev contosoacr 1²h testing', '"1²h" reads as a length, but ² is a superscript digit'],
    ['secret aks-dev contosoacr ³d load test', '"³d" reads as a length, but ³ is a superscript digit'],
    ['extend R-7K2M9QXA ²w release slipped', '"²w" reads as a length, but ² is a superscript digit'],
  ])('%s', (text, said) => {
    const err = refusal(() => parseCommand(text));
    expect(err.code).toBe('validation.option');
    expect(err.message).toBe(`${said}, which --for does not read: ${DIGITS}`);
  });

  test('a letter --for does not read is named, and ASCII letters asked for', () => {
    expect(refusal(() => parseCommand('grant aks-dev contosoacr 2ⓗ testing')).message).toBe(
      '"2ⓗ" reads as a length, but ⓗ is a circled letter, which --for does not read: write --for and the term in ASCII letters (like --for 3d or --for 8h) before the reason. Nothing was requested.',
    );
  });

  test('with a term given, later in the reason, or no length at all: the reason stays', () => {
    expect(parseCommand('grant aks-dev contosoacr --for 2h ²h testing')).toMatchObject({
      duration: '2h',
      reason: '²h testing',
    });
    expect(parseCommand('grant aks-dev contosoacr testing for ²h')).toMatchObject({ reason: 'testing for ²h' });
    expect(parseCommand('grant aks-dev contosoacr ²nd attempt at the deploy')).toMatchObject({
      reason: '²nd attempt at the deploy',
    });
    expect(parseCommand('grant aks-dev contosoacr ② deploys fail')).toMatchObject({ reason: '② deploys fail' });
  });
});

test('an answer to the reason question that starts with such a length is refused too', () => {
  expect(refusal(() => checkReasonAnswer('²h testing the app')).message).toBe(
    '"²h" reads as a length (² is a superscript digit, which --for does not read), and an answer sets no term: give the reason without it (the request gets the default term), or type "cancel", then the whole request on one line with --for and the term in ASCII, e.g. "grant CLUSTER REGISTRY --for 8h REASON…".',
  );
  expect(() => checkReasonAnswer('② deploys fail on pull')).not.toThrow();
});
