/**
 * One setting's value as acrbot reads it (src/config/setting-value.ts), for config.ts and for the
 * telemetry connection string index.ts reads before it: trimmed, blank unset, quotes named.
 */
import { readSettingValue } from '../../src/config/setting-value';

describe('readSettingValue', () => {
  it('trims, and reads an empty or blank value as unset', () => {
    expect(readSettingValue('X', ' a b \n')).toEqual({ value: 'a b' });
    expect(readSettingValue('X', '')).toEqual({ value: undefined });
    expect(readSettingValue('X', ' \t')).toEqual({ value: undefined });
    expect(readSettingValue('X', undefined)).toEqual({ value: undefined });
  });

  it('names quotes around the value as the problem, without the value, and reads it without them', () => {
    for (const raw of ['"s3cret"', " 's3cret' "]) {
      const read = readSettingValue('X', raw);
      expect(read).toEqual({
        value: 's3cret',
        quotedProblem: 'X is in quotes, which would be part of its value: remove them',
      });
      expect(read.quotedProblem).not.toContain('s3cret');
    }
    expect(readSettingValue('X', '" "')).toEqual({ value: undefined, quotedProblem: expect.any(String) });
  });

  it('leaves a lone or unmatched quote, and quotes inside the value, as typed', () => {
    expect(readSettingValue('X', '"')).toEqual({ value: '"' });
    expect(readSettingValue('X', '"a\'')).toEqual({ value: '"a\'' });
    expect(readSettingValue('X', 'a="b"')).toEqual({ value: 'a="b"' });
  });
});
