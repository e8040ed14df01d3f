/**
 * Two gaps left by the round that refused an end at the start of a command's reason and read
 * `--for` in other digits:
 * - an answer to "Why is the access needed?" that starts with an end ("until Friday 17:00 …")
 *   was filed with the default term, past the end asked for: it is asked again, as one that
 *   starts with a length is, in the command's words for an end;
 * - option look-alikes with full-width or Arabic-Indic digits (`--duration ８ｈ`, `-t ٨h`,
 *   `--for８h`) missed the "use --for 8h" answers, and `--for８h` was kept as words of the
 *   reason, a 30-day grant.
 */
import { parseCommand } from '../../src/domain/command';
import { UserFacingError } from '../../src/domain/errors';
import { checkReasonAnswer, readReasonReply } from '../../src/domain/reason-reply';

function refusal(run: () => unknown): UserFacingError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(UserFacingError);
    return err as UserFacingError;
  }
  throw new Error('expected a refusal');
}

describe('an answer to the reason question that starts with an end', () => {
  test.each([
    ['until Friday 17:00 release freeze', 'until Friday 17:00'],
    ['until 2026-12-31, release freeze', 'until 2026-12-31'],
    ['by tomorrow: hotfix for payments', 'by tomorrow'],
    ['until ２０２６-１２-３１ release freeze', 'until ２０２６-１２-３１'],
    ['by Friday ١٧:٠٠ for the hotfix', 'by Friday ١٧:٠٠'],
  ])('%j is asked again, naming the end as a command does', (answer, typed) => {
    expect(readReasonReply(answer)).toBe('answer');
    const err = refusal(() => checkReasonAnswer(answer, 'secret', '@acrbot cancel'));
    expect(err.code).toBe('validation.option');
    expect(err.message).toBe(
      `"${typed}" reads as an end: acrbot takes how long the access lasts, not when it ends, and an answer sets no term: give the reason without it (the request gets the default term), or type "@acrbot cancel", then the whole request on one line with --for and the length until then, e.g. "secret CLUSTER REGISTRY --for 3d REASON…".`,
    );
  });

  test('the command says the same of the end', () => {
    const command = refusal(() => parseCommand('grant aks-dev contosoacr until Friday 17:00 release freeze'));
    const answer = refusal(() => checkReasonAnswer('until Friday 17:00 release freeze'));
    const start = '"until Friday 17:00" reads as an end: acrbot takes how long the access lasts, not when it ends';
    expect(command.message.startsWith(start)).toBe(true);
    expect(answer.message.startsWith(start)).toBe(true);
  });

  test.each(['by request of the SRE team', 'until the rollout is done', 'release freeze until 2026-12-31'])(
    '%j, naming no end at its start, is a reason',
    (answer) => {
      expect(() => checkReasonAnswer(answer)).not.toThrow();
    },
  );
});

describe('option look-alikes in other digits name the term as --for takes it', () => {
  test.each([
    ['grant aks-dev contosoacr --duration ８ｈ testing', 'Unknown option --duration: use --for 8h.'],
    ['grant aks-dev contosoacr --ttl=٨h testing', 'Unknown option --ttl: use --for 8h.'],
    ['grant aks-dev contosoacr --days ۷ testing', 'Unknown option --days: use --for 7d.'],
  ])('%s', (text, start) => {
    expect(refusal(() => parseCommand(text)).message).toBe(`${start} Nothing was requested.`);
  });

  test.each([
    ['grant aks-dev contosoacr -t ８ｈ testing', 'did you mean --for 8h?'],
    ['grant aks-dev contosoacr -d ７ testing', 'did you mean --for 7d?'],
    ['grant aks-dev contosoacr -w ٢ testing', 'did you mean --for 2w?'],
  ])('%s', (text, guess) => {
    expect(refusal(() => parseCommand(text)).message).toContain(guess);
  });

  test('a one-letter option with a term in other digits is refused anywhere in a secret', () => {
    expect(
      refusal(() => parseCommand('secret aks-dev contosoacr --namespace payments the pull fails -t ８ｈ')).message,
    ).toContain('did you mean --for 8h?');
  });

  test.each([
    ['grant aks-dev contosoacr --for８h testing', '"--for８h" is not an option: write --for 8h, with a space.'],
    [
      'extend R-7K2M9QXA --expires٣d release slipped',
      '"--expires٣d" is not an option: write --expires 3d, with a space.',
    ],
    [
      'secret aks-dev contosoacr --for：８ｈ load testing',
      '"--for：８ｈ" is not an option: write --for 8h, with a space.',
    ],
    // An em dash for the first two, as phones type them.
    ['grant aks-dev contosoacr \u2014for８h testing', '"--for８h" is not an option: write --for 8h, with a space.'],
  ])('%s: refused, not kept as words of the reason', (text, message) => {
    expect(refusal(() => parseCommand(text)).message).toBe(`${message} Nothing was requested.`);
  });

  test('in an answer to the reason question, --for８h is an option refused with its term', () => {
    expect(refusal(() => checkReasonAnswer('testing --for８h', 'grant', 'cancel')).message).toContain(
      'e.g. "grant CLUSTER REGISTRY --for 8h REASON…"',
    );
    expect(refusal(() => checkReasonAnswer('testing --duration ٨h', 'grant', 'cancel')).message).toContain(
      'e.g. "grant CLUSTER REGISTRY --for 8h REASON…"',
    );
  });
});

describe('a length in other digits is read as a length', () => {
  test.each([
    ['grant aks-dev contosoacr ８ｈ testing the app', '"８ｈ" reads as a length: write --for 8h before the reason.'],
    [
      'grant aks-dev contosoacr for ٢ weeks of testing',
      '"for ٢ weeks" reads as a length: write --for 2w before the reason.',
    ],
    [
      'grant aks-dev contosoacr --for ８ ｈｏｕｒｓ testing',
      '"--for ８ ｈｏｕｒｓ" is not a term acrbot reads: write --for 8h (a number and one of m, h, d, w, y, without a space).',
    ],
  ])('%s', (text, message) => {
    expect(refusal(() => parseCommand(text)).message).toBe(`${message} Nothing was requested.`);
  });

  test('--for ８ｈ is a term --for reads, kept for it to read', () => {
    expect(parseCommand('grant aks-dev contosoacr --for ８ｈ testing')).toMatchObject({
      duration: '８ｈ',
      reason: 'testing',
    });
  });

  test('at the reason question too', () => {
    expect(refusal(() => checkReasonAnswer('８ｈ testing the app')).message).toContain(
      'e.g. "grant CLUSTER REGISTRY --for 8h REASON…"',
    );
  });
});
