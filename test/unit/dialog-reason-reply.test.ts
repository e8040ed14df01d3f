/**
 * How a reply to "Why is the access needed?" is read (reason-reply.ts): the answer unless it has
 * a command's exact shape, or is a short "never mind".
 */
import { checkReasonAnswer, readReasonReply } from '../../src/domain/reason-reply';

describe('readReasonReply', () => {
  test.each([
    ['revoke R-7K2M9QXA no longer needed', 'command'],
    ['status R-7K2M9QXA', 'command'],
    ['Status: R-7K2M9QXA', 'command'],
    ['extend R-7K2M9QXA --for 30d release still running', 'command'],
    ['pending R-7K2M9QXA', 'command'],
    ['cancel R-7K2M9QXA', 'command'],
    ['revoke R-7K2M9QXA. no longer needed', 'command'],
    ['audit verify', 'command'],
    ['access aks-prod', 'command'],
    ['check aks-prod contosoacr', 'command'],
    ['grant aks-dev contosoacr', 'command'],
    ['grant aks-dev', 'command'],
    ['grant aks-dev contosoacr --for2h deploy', 'command'],
    ['pause the old pipeline while we migrate', 'command'],
    ['help', 'command'],
    ['cancel this request', 'cancel'],
    ['never mind', 'cancel'],
    ['Stop please, wrong cluster', 'cancel'],
    ['access is needed for the nightly payments deploy', 'answer'],
    ['Grant needed for the nightly payments deploy', 'answer'],
    ['stop pulling from docker hub', 'answer'],
    ['status of the release is blocked on this', 'answer'],
    ['check the logs of the nightly run', 'answer'],
    ['help the payments team ship tonight', 'answer'],
    ['cancel the old registry and move to this one please', 'answer'],
    ['deploy payments-api to prod', 'answer'],
  ])('%s → %s', (text, expected) => {
    expect(readReasonReply(text)).toBe(expected);
  });
});

describe('checkReasonAnswer', () => {
  test.each([
    '--for 2h hotfix',
    '\u2013for 2h hotfix',
    'hotfix --break-glass',
    'deploy --for2h',
    'deploy --duration 2h',
  ])('%s is refused: options go on the command line', (text) => {
    expect(() => checkReasonAnswer(text)).toThrow(/options go on the command line/);
  });
  test('other options are words of a reason; a long sentence starting with hi is a reason', () => {
    expect(() => checkReasonAnswer('kubectl --namespace payments fails')).not.toThrow();
    expect(() => checkReasonAnswer('hi, the payments team needs this for the nightly deploy')).not.toThrow();
    expect(() => checkReasonAnswer('hello, are you there?')).toThrow(/greeting/);
  });
});
