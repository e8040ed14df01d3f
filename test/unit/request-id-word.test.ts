/**
 * Request ids as people type them (request-id-word.ts): without the dash they are the id; a
 * character short, one too many, or a letter ids never use is said as such; any other word is
 * left to the command.
 */
import { newRequestId } from '../../src/domain/identifiers';
import { mistypedRequestId, withIdDash } from '../../src/domain/request-id-word';

describe('withIdDash', () => {
  test.each([
    ['R7K2M9QXA', 'R-7K2M9QXA'],
    ['r7k2m9qxa', 'R-7K2M9QXA'],
    // Not ids: kept as typed.
    ['R-7K2M9QXA', 'R-7K2M9QXA'],
    ['R7K2M9QX', 'R7K2M9QX'],
    ['R7K2M9QXO', 'R7K2M9QXO'],
    ['R7K2M9QXA.', 'R7K2M9QXA.'],
    ['aks-prod', 'aks-prod'],
  ])('%s -> %s', (word, expected) => {
    expect(withIdDash(word)).toBe(expected);
  });

  test('every generated id, typed without its dash, is read as itself', () => {
    for (let i = 0; i < 200; i++) {
      const id = newRequestId();
      expect(withIdDash(id.replace('-', '').toLowerCase())).toBe(id);
    }
  });
});

describe('mistypedRequestId', () => {
  test.each([
    ['R-7K2M9QX', 'it has 7 letters and digits after "R-", not 8'],
    ['R-7K2M9QXAA', 'it has 9 letters and digits after "R-", not 8'],
    ['R7K2M9Q', 'it has 6 letters and digits after "R", not 8'],
    ['R-7K2M9QX1', '"1" is never in one'],
    ['R7K2M9QXL', '"L" is never in one'],
    ['R-7K2M9QXA.', 'the "." after it is not part of it'],
  ])('%s: %s', (word, problem) => {
    const err = mistypedRequestId(word, 'status {id}');
    expect(err?.code).toBe('validation.requestId');
    expect(err?.message).toContain(`"${word}" is not a request id: ${problem}`);
    expect(err?.message).toMatch(/Nothing was changed\.$/);
  });

  test('the rule names the characters the generator never uses', () => {
    expect(mistypedRequestId('R-7K2M9QX', 'status {id}')?.message).toContain(
      'Request ids are R- and 8 letters and digits, without 0, 1, I, L, O or U: copy it from the request\'s card, e.g. "@acrbot status R-7K2M9QXA".',
    );
  });

  // Ids, and words that are no attempt at one (a long token is not quoted back): left to the command.
  test.each([
    undefined,
    '',
    'R-7K2M9QXA',
    'r7k2m9qxa',
    'RELEASE',
    'R2D2',
    'verify',
    '20',
    `R-${'A1'.repeat(20)}`,
    'R-7K2M9QXA-extra',
  ])('%j is no mistyped id', (word) => {
    expect(mistypedRequestId(word, 'status {id}')).toBeUndefined();
  });
});
