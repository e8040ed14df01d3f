/**
 * `--for ８ｈ` (typed with a CJK input method on) and `--for ٨h` (Arabic-Indic digits) were
 * refused as "not a duration; use a number and a unit", which is what their authors had typed.
 * They are read as `8h`, in chat and in the card's Extend field (both parse the term here); an
 * error quotes what was typed.
 */
import { parseAccessDuration } from '../../src/domain/access-term';
import { UserFacingError } from '../../src/domain/errors';

const LIMITS = { defaultMs: 30 * 86_400_000, minMs: 3_600_000, maxMs: 90 * 86_400_000, allowPermanent: false };

function refusal(text: string): UserFacingError {
  try {
    parseAccessDuration(text, LIMITS);
  } catch (err) {
    expect(err).toBeInstanceOf(UserFacingError);
    return err as UserFacingError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe('digits and letters of other widths and scripts are read as --for takes them', () => {
  test.each([
    ['８ｈ', 8 * 3_600_000],
    ['１２Ｈ', 12 * 3_600_000],
    ['３０ｄ', 30 * 86_400_000],
    ['٨h', 8 * 3_600_000],
    ['١٤d', 14 * 86_400_000],
    ['۸h', 8 * 3_600_000],
    ['۲w', 14 * 86_400_000],
    [' ８ｈ\u3000', 8 * 3_600_000],
  ])('%s', (text, ms) => {
    expect(parseAccessDuration(text, LIMITS)).toEqual({ durationMs: ms });
  });

  test('a full-width capital M is a month written as minutes, as 1M is', () => {
    expect(refusal('１Ｍ').message).toMatch(/^`1M`: M is read as minutes here/);
  });

  test('out of range: the error quotes what was typed', () => {
    expect(refusal('٣٠m').message).toBe(
      '٣٠m is shorter than the minimum access of 1h; choose a duration between 1h and 90d.',
    );
    expect(refusal('９９９ｄ').message).toMatch(/^９９９ｄ is longer than the maximum access of 90d/);
  });

  test('still not a duration: the error quotes what was typed', () => {
    expect(refusal('８ ｈｏｕｒｓ').message).toMatch(/^"８ ｈｏｕｒｓ" is not a duration; use a number and a unit/);
  });
});
