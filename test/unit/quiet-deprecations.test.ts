/** The start-up filter drops restify's DEP0111 (process.binding('http_parser')) and nothing else. */
import { silenceRestifyHttpParserWarning } from '../../src/observability/quiet-deprecations';

describe('silenceRestifyHttpParserWarning', () => {
  const original = process.emitWarning;
  // Stands in for Node's emitWarning, underneath the filter.
  const passedOn = jest.fn();
  beforeAll(() => {
    process.emitWarning = passedOn as unknown as typeof process.emitWarning;
    silenceRestifyHttpParserWarning();
  });
  afterAll(() => {
    process.emitWarning = original;
  });
  beforeEach(() => passedOn.mockClear());

  test("restify's http_parser warning is dropped", () => {
    process.emitWarning("Access to process.binding('http_parser') is deprecated.", 'DeprecationWarning', 'DEP0111');
    expect(passedOn).not.toHaveBeenCalled();
  });

  test('other DEP0111 warnings and every other warning pass through unchanged', () => {
    process.emitWarning("Access to process.binding('fs') is deprecated.", 'DeprecationWarning', 'DEP0111');
    process.emitWarning('Buffer() is deprecated', { type: 'DeprecationWarning', code: 'DEP0005' });
    process.emitWarning('plain');
    expect(passedOn.mock.calls).toEqual([
      ["Access to process.binding('fs') is deprecated.", 'DeprecationWarning', 'DEP0111'],
      ['Buffer() is deprecated', { type: 'DeprecationWarning', code: 'DEP0005' }],
      ['plain'],
    ]);
  });
});
