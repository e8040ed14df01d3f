/**
 * term-words.ts, from breaking it: a length typed with a "!" after it, with a leading zero, or of
 * four digits apart from its unit is still read as the term `--for` takes.
 */
import { leadingTerm, spelledTerm } from '../../src/domain/term-words';

describe('the length a reason starts with', () => {
  test('an exclamation mark after the unit is punctuation, not part of the word', () => {
    expect(leadingTerm(['for', '2', 'weeks!', 'testing'])).toEqual({ typed: 'for 2 weeks', term: '2w' });
    expect(leadingTerm(['3days!'])).toEqual({ typed: '3days', term: '3d' });
  });

  test('a leading zero is dropped from the term it names', () => {
    expect(leadingTerm(['07d', 'testing'])).toEqual({ typed: '07d', term: '7d' });
    expect(spelledTerm('014days', 'testing')).toEqual({ term: '14d', count: 1 });
  });

  test('a number of four digits apart from its unit is read as one', () => {
    expect(leadingTerm(['1000', 'hours', 'of', 'soak'])).toEqual({ typed: '1000 hours', term: '1000h' });
    expect(spelledTerm('1000', 'minutes')).toEqual({ term: '1000m', count: 2 });
    // Five digits are no length anyone types: prose.
    expect(leadingTerm(['10000', 'hours'])).toBeUndefined();
  });
});
