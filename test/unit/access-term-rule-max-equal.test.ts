/**
 * A rule whose maxDuration equals the deployment's maximum cuts nothing: a term too long is
 * refused by the deployment's limit (`validation.duration`), not named as the rule's.
 */
import { termRefusal } from '../../src/domain/access-term';

const HOUR = 3_600_000;
const limits = { defaultMs: 8 * HOUR, minMs: HOUR, maxMs: 24 * HOUR, allowPermanent: false };

test('a rule maximum equal to the deployment maximum: the deployment refuses', () => {
  const refusal = termRefusal({ durationMs: 48 * HOUR }, limits, { id: 'prod', maxDurationMs: 24 * HOUR }, '2d');
  expect(refusal).toMatchObject({ code: 'validation.duration' });
  expect(refusal!.message).not.toMatch(/rule prod/);
});

test('a shorter rule maximum is the rule’s refusal', () => {
  const refusal = termRefusal({ durationMs: 48 * HOUR }, limits, { id: 'prod', maxDurationMs: 8 * HOUR }, '2d');
  expect(refusal).toMatchObject({ code: 'policy.maxDuration' });
  expect(refusal!.message).toMatch(/\(rule prod\)/);
});
