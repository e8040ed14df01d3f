/**
 * Text of people who write more than ASCII: a cut never leaves half a character (a lone
 * surrogate, which is not well-formed text and goes into audit entries the chain hashes as JSON),
 * half a flag, part of an emoji sequence or a letter without its accent; no cleaner lets a lone
 * surrogate through; a reason typed in decomposed form (NFD) is the one typed composed; and the
 * refusal of a reason too long says a length that is true of it.
 */
import { checkResourceGroup } from '../../src/domain/names';
import { checkReason, cutText, displayName, REASON_LIMITS, singleLine } from '../../src/domain/text';
import { shortenForCard } from '../../src/views/message-view';
import { resumeReasonData, resumeReasonOf } from '../../src/views/resume-reason';
import { APPROVER, OUTSIDER } from './support/requests';

/** Whether `text` holds no lone surrogate (what `String.prototype.isWellFormed` answers; not in the TS lib acrbot targets). */
const isWellFormed = (text: string): boolean => !/\p{Cs}/u.test(text);

const FLAG = '🇩🇪';
const FAMILY = '👨\u200D👩\u200D👧';

describe('cutText', () => {
  test('text that fits is itself', () => {
    expect(cutText('Zoë', 3)).toBe('Zoë');
    expect(cutText('😀', 2)).toBe('😀');
  });

  test('never half a surrogate pair', () => {
    const cut = cutText('😀'.repeat(10), 5);
    expect(cut).toBe('😀😀');
    expect(isWellFormed(cut)).toBe(true);
  });

  test('never half a flag, part of an emoji sequence, or a letter without its mark', () => {
    expect(cutText(`ab${FLAG}`, 4)).toBe('ab');
    expect(cutText(`ab${FLAG}${FLAG}`, 7)).toBe(`ab${FLAG}`);
    expect(cutText(`ab${FAMILY}`, 6)).toBe('ab');
    // q with a tilde has no precomposed form: NFC would not save it.
    expect(cutText('abq\u0303', 3)).toBe('ab');
    expect(cutText(`ab${FAMILY}c`, 2 + FAMILY.length)).toBe(`ab${FAMILY}`);
  });

  test('a first grapheme longer than the cut is cut between code points, never inside a pair', () => {
    const piled = `😀${'\u0301'.repeat(50)}`;
    expect(cutText(piled, 10)).toBe(piled.slice(0, 10));
    expect(cutText(piled, 1)).toBe('');
    expect(isWellFormed(cutText(piled, 1))).toBe(true);
  });

  test('a long text is cut from its start only (the segmenter sees the cut and a few units more)', () => {
    const long = `${'a'.repeat(99)}${FLAG}${'b'.repeat(1_000_000)}`;
    expect(cutText(long, 100)).toBe('a'.repeat(99));
  });
});

describe('names and reasons are well-formed and in NFC', () => {
  test('a lone surrogate becomes U+FFFD in names and reasons', () => {
    expect(singleLine('a \uD83D b \uDE00')).toBe('a \uFFFD b \uFFFD');
    expect(checkReason('deploy app \uD83D now please')).toBe('deploy app \uFFFD now please');
    expect(displayName('Zoë \uD83D', 'someone')).toBe('Zoë \uFFFD');
    // A whole pair is no lone surrogate.
    expect(singleLine('deploy 😀 now')).toBe('deploy 😀 now');
  });

  test('decomposed letters are the composed ones', () => {
    expect(singleLine('Zoe\u0308')).toBe('Zoë');
    expect(checkReason('e\u0301'.repeat(260))).toBe('é'.repeat(260));
  });

  test('a resource group typed in NFD is the group in NFC', () => {
    expect(checkResourceGroup('rg-e\u0301quipe')).toBe('rg-équipe');
    expect(checkResourceGroup('rg-équipe')).toBe('rg-équipe');
  });
});

describe('a reason too long', () => {
  test('counted in UTF-16 units, as the cards’ inputs count (maxLength 500)', () => {
    expect(checkReason('😀'.repeat(REASON_LIMITS.max / 2))).toHaveLength(REASON_LIMITS.max);
    expect(() => checkReason(`x${'😀'.repeat(REASON_LIMITS.max / 2)}`)).toThrow(/too long/);
  });

  test('is refused with a length that is true of it', () => {
    expect(() => checkReason('🚀'.repeat(300))).toThrow(
      'The reason is too long: its 300 characters count as 600, since an emoji (like a few other characters) counts as two; keep it under 500.',
    );
    expect(() => checkReason('🚀'.repeat(300))).not.toThrow(/600 characters long/);
    // One unit a character: as it always said.
    expect(() => checkReason('x'.repeat(620))).toThrow('The reason is 620 characters long; keep it under 500.');
  });
});

describe('cuts for names and cards', () => {
  test('displayName cuts between graphemes', () => {
    expect(displayName(`${'a'.repeat(99)}${FLAG}`, 'x')).toBe('a'.repeat(99));
    expect(displayName(`${'a'.repeat(97)}${FLAG}${FLAG}`, 'x')).toBe('a'.repeat(97));
    expect(displayName(`${'a'.repeat(95)}${FAMILY}`, 'x')).toBe('a'.repeat(95));
    expect(displayName(`${'a'.repeat(99)}q\u0303xyz`, 'x')).toBe('a'.repeat(99));
  });

  test('shortenForCard cuts between graphemes', () => {
    expect(shortenForCard(`${'a'.repeat(39)}q\u0303`, 40)).toBe(`${'a'.repeat(39)}…`);
    expect(shortenForCard(`${'a'.repeat(39)}${FLAG}`, 40)).toBe(`${'a'.repeat(39)}…`);
    expect(shortenForCard(`${'a'.repeat(38)}${FLAG}b`, 40)).toBe(`${'a'.repeat(38)}${FLAG}…`);
  });

  test('a Resume reason of emoji, given by someone else, is cut whole and stays a reason', () => {
    for (const lead of ['', 'x']) {
      const given = resumeReasonOf(resumeReasonData(`${lead}${'😀'.repeat(240)}`, APPROVER), OUTSIDER)!;
      expect(isWellFormed(given)).toBe(true);
      expect(given).not.toContain('\uFFFD');
      expect(given.endsWith('😀…')).toBe(true);
      expect(checkReason(given, 'reason for resuming')).toBe(given);
    }
  });
});
