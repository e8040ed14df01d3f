/**
 * Access past its end and waiting for its end job (state still `succeeded`) reads "Expired" on
 * its request card and in `status`'s list, as `access` and the tab read it (requestAccessState):
 * "Granted" would say it still pulls. A revocation under way still says so; an extension (its
 * original carries the access) and a card drawn without a time keep their state's label.
 */
import { requestRef } from '../../src/domain/acrbot-request-ref';
import type { AccessRequest } from '../../src/domain/request';
import { myRequestsCard } from '../../src/views/my-requests-view';
import { STATE_LABEL, requestCard, stateLabelOf } from '../../src/views/request-view';
import { ENDS, NOW, granted } from './support/reminder-lifecycle';
import { pendingRequest, secretPlan } from './support/requests';

const before = new Date(NOW);
const atEnd = new Date(ENDS);
const past = new Date(Date.parse(ENDS) + 60_000);
const statusList = (request: AccessRequest, readAt?: Date) =>
  JSON.stringify(myRequestsCard({ requests: [request], more: 0, boundReached: false, readAt }, { name: 'Sam' }, false));

test('a grant past its end reads Expired, as `access` reads it; before its end, Granted', () => {
  expect(stateLabelOf(granted, before)).toEqual(STATE_LABEL.succeeded);
  expect(requestRef(granted, atEnd).state).toBe('expired');
  expect(stateLabelOf(granted, atEnd)).toEqual(STATE_LABEL.expired);
  expect(stateLabelOf(granted, past)).toEqual({ label: 'Expired', color: 'Default' });
});

test('without a time, its state label is kept', () => {
  expect(stateLabelOf(granted)).toEqual(STATE_LABEL.succeeded);
});

test("the request card and `status`'s list follow", () => {
  const card = JSON.stringify(requestCard(granted, { showActions: false, now: past }));
  expect(card).toContain('"Expired"');
  expect(card).not.toContain('"Granted"');
  expect(statusList(granted, past)).toContain('Expired');
  expect(statusList(granted, past)).not.toContain('Granted');
  expect(statusList(granted, before)).toContain('Granted');
});

test('a pull secret whose credential expired first reads Expired too', () => {
  const secret = pendingRequest({
    plan: secretPlan({ expiresAt: ENDS }),
    state: 'succeeded',
    access: { durationMs: 30 * 24 * 3600_000, expiresAt: '2025-03-01T00:00:00.000Z' },
  });
  expect(requestRef(secret, past).state).toBe('expired');
  expect(stateLabelOf(secret, past)).toEqual(STATE_LABEL.expired);
  expect(stateLabelOf(secret, before)).toEqual(STATE_LABEL.succeeded);
});

test('a revocation under way, or an extension, is not read Expired', () => {
  const revoking: AccessRequest = { ...granted, access: { ...granted.access!, revokingSince: NOW } };
  expect(stateLabelOf(revoking, past).label).toBe('Being revoked');
  const extension: AccessRequest = { ...granted, extendsRequestId: 'R-1' };
  expect(stateLabelOf(extension, past)).toEqual(STATE_LABEL.succeeded);
});
