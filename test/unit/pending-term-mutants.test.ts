/**
 * pending-term.ts, from breaking it: when no rule of the policy in force covers a waiting
 * request's pair any more, its term is still held to the maxDuration of the rule it was made under.
 */
import { pendingTermPastLimits } from '../../src/domain/pending-term';
import { HOUR } from './support/fake-clock';
import { DAY, policy, rule } from './support/policy-fixtures';
import { pendingRequest } from './support/requests';

const bound = rule('prod', { match: { cluster: ['aks-prod'] }, maxDurationMs: 8 * HOUR });
const waiting = pendingRequest({
  access: { durationMs: 30 * DAY },
  policy: { ruleId: 'prod', policyHash: 'hash-1', approvalsRequired: 1, rule: bound },
});
const limits = { defaultMs: DAY, minMs: HOUR, maxMs: 90 * DAY, allowPermanent: false };

describe('a waiting term once no rule covers its pair', () => {
  test('its bound rule, as it was, still limits it', () => {
    // Only a rule for other clusters is left: the request's own rule is gone.
    const now = policy([rule('dev', { match: { cluster: ['aks-dev*'] } })], 'hash-2');
    expect(pendingTermPastLimits(waiting, now, limits)).toBe('asks for 30d, but rule prod now grants at most 8h');
  });

  test('a term within the bound rule is not refused', () => {
    const now = policy([rule('dev', { match: { cluster: ['aks-dev*'] } })], 'hash-2');
    const short = { ...waiting, access: { durationMs: 4 * HOUR } };
    expect(pendingTermPastLimits(short, now, limits)).toBeUndefined();
  });
});
