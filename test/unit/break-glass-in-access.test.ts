/**
 * `access` and `check` name an acrbot request by who approved it; a break-glass grant was approved
 * by nobody (its requester ran it at once), so it reads "break-glass by X, without approval".
 */
import { requestRef } from '../../src/domain/access-inventory';
import { requestText } from '../../src/domain/pull-diagnosis';
import { breakGlassRequest } from './support/break-glass';
import { OLIVE } from './support/policy-fixtures';
import { APPROVER, pendingRequest } from './support/requests';

const AT = '2026-12-01T10:00:00.000Z';
const NOW = new Date('2026-12-01T11:00:00.000Z');
const access = { durationMs: 4 * 3_600_000, expiresAt: '2026-12-01T14:00:00.000Z' };

test('a break-glass grant is not "approved by" its requester', () => {
  const ref = requestRef(
    breakGlassRequest(OLIVE, AT, { dueAt: '2026-12-02T10:00:00.000Z' }, { state: 'succeeded', access }),
    NOW,
  );
  expect(ref.approvedBy).toBeUndefined();
  expect(ref.startedAsBreakGlassBy).toBe(OLIVE.name);
  expect(requestText(ref)).toMatch(/^acrbot request R-\w+ \(break-glass by Adele Operator, without approval, until /);
});

test('an approved grant still names its approver', () => {
  const ref = requestRef(
    pendingRequest({ state: 'succeeded', access, decision: { by: APPROVER, at: AT, approved: true } }),
    NOW,
  );
  expect(requestText(ref)).toMatch(/\(approved by Alex Approver, until /);
});
