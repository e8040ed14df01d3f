import { docProperties, readDoc } from '../../src/integrations/store/tables-client';

describe('a stored document is read back only as acrbot writes it', () => {
  test('what docProperties wrote reads back, across chunks', () => {
    const doc = { text: 'x'.repeat(100_000), n: 1 };
    const props = docProperties(doc);
    expect(props.docChunks).toBeGreaterThan(1);
    expect(readDoc(props)).toEqual(doc);
  });

  test.each([
    ['a count of 10^12 (an edited row)', { docChunks: 1e12, doc0: '{}' }],
    ['a count of 0', { docChunks: 0, doc0: '{}' }],
    ['a fractional count', { docChunks: 1.5, doc0: '{}' }],
    ['a count as text', { docChunks: '1', doc0: '{}' }],
    ['a chunk missing', { docChunks: 2, doc0: '{"a":' }],
    ['a chunk that is not text', { docChunks: 1, doc0: 7 }],
  ])('%s throws at once', (_, row) => {
    expect(() => readDoc(row)).toThrow(/chunk/);
  });
});
