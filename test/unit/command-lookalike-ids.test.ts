/**
 * Request ids and command words as people outside ASCII type them: an id with a dash look-alike
 * (a non-breaking hyphen from Word or Outlook, an en dash from a phone), in full-width forms (a
 * CJK input method on) or with a zero-width character pasted into it is the id, for `revoke` as
 * for `status`; a verb typed with a Turkish keyboard's capital İ is the verb.
 */
import { parseCommand } from '../../src/domain/command';
import { readIdWord, withIdDash } from '../../src/domain/request-id-word';
import { singleLine } from '../../src/domain/text';

const ID = 'R-7K2M9QXA';

describe('an id with another dash, width or a zero-width character', () => {
  test('revoke R‑7K2M9QXA (U+2011) revokes that request, not a cluster named so', () => {
    expect(parseCommand('revoke R\u20117K2M9QXA no longer needed')).toEqual({
      verb: 'revoke',
      requestId: ID,
      reason: 'no longer needed',
    });
  });

  test.each([0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xfe63, 0xff0d].map((c) => [c.toString(16), c]))(
    'the dash U+%s',
    (_hex, code) => {
      const dash = String.fromCharCode(code as number);
      expect(parseCommand(`status R${dash}7K2M9QXA`)).toEqual({ verb: 'status', requestId: ID });
      expect(parseCommand(`revoke R${dash}7K2M9QXA done`)).toMatchObject({ verb: 'revoke', requestId: ID });
      expect(parseCommand(`cancel R${dash}7K2M9QXA`)).toEqual({ verb: 'cancel', requestId: ID });
    },
  );

  test('full-width forms', () => {
    expect(parseCommand('status Ｒ－７Ｋ２Ｍ９ＱＸＡ')).toEqual({ verb: 'status', requestId: ID });
    expect(parseCommand('pending Ｒ－７Ｋ２Ｍ９ＱＸＡ')).toEqual({ verb: 'pending', requestId: ID });
    expect(parseCommand('extend Ｒ－７Ｋ２Ｍ９ＱＸＡ release still running')).toMatchObject({
      verb: 'extend',
      requestId: ID,
    });
    expect(parseCommand('revoke Ｒ－７Ｋ２Ｍ９ＱＸＡ done')).toMatchObject({ verb: 'revoke', requestId: ID });
  });

  test('a zero-width character inside, as the message cleaner leaves a joiner', () => {
    expect(parseCommand(singleLine('status R-7K2M\u200D9QXA'))).toEqual({ verb: 'status', requestId: ID });
    expect(parseCommand('status R-7K2M\u200B9QXA')).toEqual({ verb: 'status', requestId: ID });
    expect(parseCommand('revoke R-7K2M\u200D9QXA done')).toMatchObject({ verb: 'revoke', requestId: ID });
  });

  test('one mistyped in full width is told as mistyped', () => {
    expect(() => parseCommand('revoke Ｒ－７Ｋ２Ｍ９ＱＸ０ done')).toThrow(/"0" is never in one/);
  });

  test('no other word is read anew', () => {
    // A cluster's name with a look-alike dash is no id: left as typed, refused by the name's rule.
    expect(parseCommand('revoke aks\u2011prod contosoacr done')).toMatchObject({ cluster: 'aks\u2011prod' });
    expect(readIdWord('aks\u2011prod')).toBe('aks\u2011prod');
    expect(readIdWord('Ｒｅｌｅａｓｅ２')).toBe('Ｒｅｌｅａｓｅ２');
    expect(readIdWord(ID)).toBe(ID);
    expect(readIdWord(undefined)).toBeUndefined();
    // Without its dash, in full width: the id, as typed in ASCII.
    expect(withIdDash('Ｒ７Ｋ２Ｍ９ＱＸＡ')).toBe(ID);
  });
});

describe('a verb typed with a Turkish keyboard', () => {
  test('LİST and PENDİNG', () => {
    expect(parseCommand('LİST')).toEqual({ verb: 'unknown', word: 'list' });
    expect(parseCommand('PENDİNG')).toEqual({ verb: 'pending' });
    expect(parseCommand(`PENDİNG ${ID}`)).toEqual({ verb: 'pending', requestId: ID });
    expect(parseCommand('POLİCY aks-prod contosoacr')).toEqual({
      verb: 'policy',
      cluster: 'aks-prod',
      registry: 'contosoacr',
    });
  });

  test('only the verb: a name keeps its letters', () => {
    expect(parseCommand('ACCESS İSTANBUL-RG/aks')).toEqual({ verb: 'access', target: 'İSTANBUL-RG/aks' });
  });
});
