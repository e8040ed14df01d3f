/**
 * The reason a Resume button carries (views/resume-reason.ts): who typed it travels with it, so
 * another approver's click gives it as theirs, as the card's claim (card data can be forged); it
 * still fits a reason's length limit, and a card from before reasons were attributed (a plain
 * reason) is read as it is.
 */
import { checkReason, REASON_LIMITS } from '../../src/domain/text';
import { resumeReasonData, resumeReasonOf } from '../../src/views/resume-reason';
import { APPROVER, OUTSIDER } from './support/requests';

test('the typist’s own click: the reason as typed; another’s: named as the typist’s, as the card claims', () => {
  const data = resumeReasonData('incident 42 closed', APPROVER);
  expect(resumeReasonOf(data, APPROVER)).toBe('incident 42 closed');
  expect(resumeReasonOf(data, OUTSIDER)).toBe(
    `reason on the card, said to be typed by ${APPROVER.name} (${APPROVER.objectId}): incident 42 closed`,
  );
});

test('a forged typist (card data comes from the client) is reported as the card’s claim, not as fact', () => {
  const forged = JSON.stringify({
    reason: 'incident over, resume now',
    typedBy: { objectId: 'ciso-oid', name: 'The CISO' },
  });
  const given = resumeReasonOf(forged, OUTSIDER)!;
  expect(given).toBe('reason on the card, said to be typed by The CISO (ciso-oid): incident over, resume now');
  expect(given).not.toMatch(/^reason given by/);
});

test('a reason at the length limit, given by someone else, is shortened to fit and still passes the check', () => {
  const long = 'x'.repeat(REASON_LIMITS.max);
  const given = resumeReasonOf(resumeReasonData(long, APPROVER), OUTSIDER)!;
  expect(given.length).toBeLessThanOrEqual(REASON_LIMITS.max);
  expect(given.endsWith('…')).toBe(true);
  expect(checkReason(given)).toBe(given);
});

test('no reason: nothing; a plain reason (an older card) is read as it is', () => {
  expect(resumeReasonData(undefined, APPROVER)).toBe('');
  expect(resumeReasonOf('', OUTSIDER)).toBeUndefined();
  expect(resumeReasonOf('incident closed', OUTSIDER)).toBe('incident closed');
});
