/** G15 decisions from acrbot's own records: which secret may be replaced, which application may be used. */
import { applicationProblem } from '../../src/domain/secret-ownership';

describe('applicationProblem (an application acrbot holds alone)', () => {
  const bot = { id: 'b07a', type: 'servicePrincipal' as const };
  test('acrbot alone, with only the passwords it recorded → usable', () => {
    expect(
      applicationProblem({ owners: [bot], passwordKeyIds: ['k1'], certificateKeyIds: [] }, ['k1']),
    ).toBeUndefined();
    expect(applicationProblem({ owners: [bot], passwordKeyIds: [], certificateKeyIds: [] }, [])).toBeUndefined();
  });
  test('a password whose key id acrbot never learnt counts as its own only by the marker it recorded', () => {
    const holders = {
      owners: [bot],
      passwordKeyIds: ['k1', 'k2'],
      passwordDisplayNames: { k1: 'acrbot image pull R-1 m1', k2: 'acrbot image pull R-1 guess' },
      certificateKeyIds: [],
    };
    expect(
      applicationProblem(holders, [], ['acrbot image pull R-1 m1', 'acrbot image pull R-1 guess']),
    ).toBeUndefined();
    // Same prefix, unrecorded marker: someone else's password.
    expect(applicationProblem(holders, [], ['acrbot image pull R-1 m1'])).toMatch(/1 password/);
  });
  test.each([
    [
      'a person as second owner',
      { owners: [bot, { id: 'u', type: 'user' as const }], passwordKeyIds: [], certificateKeyIds: [] },
      /2 owner\(s\), 1 of them not acrbot/,
    ],
    [
      'another service principal as owner',
      { owners: [bot, { id: 'x', type: 'servicePrincipal' as const }], passwordKeyIds: [], certificateKeyIds: [] },
      /2 owner/,
    ],
    ['no owner at all', { owners: [], passwordKeyIds: [], certificateKeyIds: [] }, /0 owner/],
    [
      'a password acrbot did not add',
      { owners: [bot], passwordKeyIds: ['k1', 'theirs'], certificateKeyIds: [] },
      /1 password\(s\) acrbot did not add/,
    ],
    ['a certificate', { owners: [bot], passwordKeyIds: [], certificateKeyIds: ['c'] }, /certificate/],
  ])('%s → refused', (_what, holders, message) => {
    expect(applicationProblem(holders, ['k1'])).toMatch(message);
  });
});
