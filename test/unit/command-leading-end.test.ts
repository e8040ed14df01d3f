/**
 * A reason that starts with an end (`until 2026-12-31 release freeze`, `till Friday 17:00`, `by
 * tomorrow`) was filed with the default term, 30 days, past the end asked for. acrbot takes a
 * length: the command is refused saying so, and nothing is requested. "by request of the SRE
 * team" and other reasons that start with those words but name no date or time are accepted.
 */
import { parseCommand } from '../../src/domain/command';
import { leadingEnd } from '../../src/domain/end-words';
import { UserFacingError } from '../../src/domain/errors';

function refusal(text: string): UserFacingError {
  try {
    parseCommand(text);
  } catch (err) {
    expect(err).toBeInstanceOf(UserFacingError);
    return err as UserFacingError;
  }
  throw new Error(`expected parseCommand(${JSON.stringify(text)}) to throw`);
}

describe('a reason that starts with an end is refused', () => {
  test.each([
    ['grant aks-dev contosoacr until 2026-12-31 release freeze', 'until 2026-12-31'],
    ['grant aks-dev contosoacr until Friday 17:00 release freeze', 'until Friday 17:00'],
    ['grant aks-dev contosoacr by 2026-12-31 release freeze', 'by 2026-12-31'],
    ['grant aks-dev contosoacr till tomorrow, hotfix for payments', 'till tomorrow'],
    ['secret aks-dev contosoacr --namespace payments until tonight load testing', 'until tonight'],
    ['grant aks-dev contosoacr until 12/31 for the release freeze', 'until 12/31'],
    ['grant aks-dev contosoacr until Dec 31 2026 release freeze', 'until Dec 31 2026'],
    ['grant aks-dev contosoacr by 5 pm today to fix the deploy', 'by 5 pm'],
    ['grant aks-dev contosoacr until next week while the migration runs', 'until next week'],
    ['grant aks-dev contosoacr by EOD: hotfix', 'by EOD'],
    ['grant aks-dev contosoacr by end of day, hotfix', 'by end of day'],
    ['grant aks-dev contosoacr until 31st December release freeze', 'until 31st December'],
    ['grant aks-dev contosoacr until May 31 release freeze', 'until May 31'],
    ['grant aks-dev contosoacr until December, release freeze', 'until December'],
    ['grant aks-dev contosoacr until the end of the week for the migration', 'until the end of the week'],
    ['grant aks-dev contosoacr until the 15th for the migration', 'until the 15th'],
    ['grant aks-dev contosoacr until tomorrow at 9am for the migration', 'until tomorrow at 9am'],
    ['extend R-7K2M9QXA until Friday the rollout is slow', 'until Friday'],
  ])('%s', (text, typed) => {
    const err = refusal(text);
    expect(err.code).toBe('validation.option');
    expect(err.message).toBe(
      `"${typed}" reads as an end: acrbot takes how long the access lasts, not when it ends. Write --for and the length until then (like --for 3d or --for 8h) before the reason. Nothing was requested.`,
    );
  });

  test('a length at the start is still answered with the term to write', () => {
    expect(refusal('grant aks-dev contosoacr for 8h release freeze').message).toContain('write --for 8h');
  });
});

describe('a reason that starts with those words but names no date or time is accepted', () => {
  test.each([
    'grant aks-dev contosoacr by request of the SRE team',
    'grant aks-dev contosoacr by the SRE team, for the release',
    'grant aks-dev contosoacr by Jan, our SRE lead, for the release',
    'grant aks-dev contosoacr by 3rd party vendor request',
    'grant aks-dev contosoacr until the rollout is done',
    'grant aks-dev contosoacr by end of the SRE review, for the hotfix',
    'grant aks-dev contosoacr by next sprint planning',
    'grant aks-dev contosoacr till we move to workload identity',
    'grant aks-dev contosoacr by may be needed for the hotfix',
    'grant aks-dev contosoacr release freeze until 2026-12-31',
  ])('%s', (text) => {
    const command = parseCommand(text);
    expect(command).toMatchObject({ verb: 'grant', reason: text.split(' ').slice(3).join(' ') });
  });

  test('a term given, the end after it is the reason', () => {
    expect(parseCommand('grant aks-dev contosoacr --for 3d until Friday release freeze')).toMatchObject({
      verb: 'grant',
      duration: '3d',
      reason: 'until Friday release freeze',
    });
  });

  test('leadingEnd reads only the start', () => {
    expect(leadingEnd(['release', 'until', 'Friday'])).toBeUndefined();
    expect(leadingEnd(['until', 'Friday.'])).toBe('until Friday');
  });

  test('leadingEnd quotes at most 60 characters of a very long end', () => {
    const end = leadingEnd(['until', `2026-12-31T00:00:00.${'0'.repeat(100)}Z`]);
    expect(end).toBe(`until 2026-12-31T00:00:00.${'0'.repeat(34)}`);
    expect(end!.length).toBe(60);
  });
});
