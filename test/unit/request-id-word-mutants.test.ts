/**
 * request-id-word.ts, from breaking it: an id followed by up to four marks of punctuation (a
 * closing bracket among them) is said to be one, and a word with a character ids never use is not
 * offered back as the id to type; a dashless attempt of 5 to 11 characters is said to be of the
 * wrong length; only a dashed word with 8 characters after `R-` starts like an id.
 */
import {
  mistypedRequestId,
  punctuatedRequestId,
  readAsRequestId,
  startsWithDashedId,
} from '../../src/domain/request-id-word';

describe('a request id with punctuation after it', () => {
  test.each([
    ['R-7K2M9QXA)', ')'],
    ['R-7K2M9QXA).', ').'],
    ['R-7K2M9QXA?!).', '?!).'],
  ])('%s: the %j after it is named, and the id to type', (word, marks) => {
    const err = punctuatedRequestId(word, 'status {id}');
    expect(err?.code).toBe('validation.requestId');
    expect(err?.message).toBe(
      `"${word}" is not a request id: the "${marks}" after it is not part of it. Type "@acrbot status R-7K2M9QXA". Nothing was changed.`,
    );
    expect(mistypedRequestId(word, 'status {id}')?.message).toBe(err?.message);
  });

  test('five marks are more than a sentence puts after a word: not read as an id', () => {
    expect(punctuatedRequestId('R-7K2M9QXA.....', 'status {id}')).toBeUndefined();
  });

  test('an id-shaped word with a character ids never use is not offered back as the id to type', () => {
    // "0" is never in an id: "Type status R-7K2M9QX0" would send the reader to no request.
    expect(punctuatedRequestId('R-7K2M9QX0.', 'status {id}')).toBeUndefined();
    expect(punctuatedRequestId('R-7K2M9QXI,', 'cancel {id}')).toBeUndefined();
  });
});

describe('an id typed without its dash, of the wrong length', () => {
  test.each([
    ['R7K2M9', 5],
    ['R7K2M9QXA234', 11],
  ])('%s: its %i characters are said', (word, n) => {
    expect(mistypedRequestId(word, 'status {id}')?.message).toContain(
      `"${word}" is not a request id: it has ${n} letters and digits after "R", not 8.`,
    );
  });

  test.each(['R7K2', 'R7K2M9QXA2345'])('%s is too far from an id to be called one', (word) => {
    expect(mistypedRequestId(word, 'status {id}')).toBeUndefined();
  });
});

describe('a word that starts like a request id typed with its dash', () => {
  test('8 characters after R- start one, with or without more after them; 7 do not', () => {
    expect(startsWithDashedId('R-7K2M9QXA')).toBe(true);
    expect(startsWithDashedId("R-7K2M9QXA's")).toBe(true);
    expect(startsWithDashedId('R-7K2M9QX')).toBe(false);
  });

  test('at the reason question, a dashed word a character short is a word of the reason', () => {
    expect(readAsRequestId('R-7K2M9QX')).toBe(false);
    expect(readAsRequestId('R-7K2M9QX0')).toBe(true);
  });
});
