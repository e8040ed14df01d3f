/**
 * A granted extension is not "Closed": chat says it was granted, and the tab's word for a
 * request nobody answered ("Expired without a decision") must not be its word too. Its row is
 * `extended` and names the end it moved its original to; the original's row names the
 * extensions that moved its end, which its drawer shows.
 */
import { requestRow } from '../../src/tab/tab-rows';
import { extensionFact, STATE_LABEL } from '../../web/src/format';
import type { Row } from '../../web/src/types';
import { pendingRequest } from './support/requests';

const now = new Date('2025-01-20T00:00:00.000Z');
const extension = pendingRequest({
  id: 'R-EXTEND01',
  extendsRequestId: 'R-7K2M9QXA',
  state: 'succeeded',
  outcome: { summary: 'extended', azureRequestIds: [], createdIds: [] },
  access: { durationMs: 30 * 86_400_000, expiresAt: '2025-02-18T09:00:00.000Z' },
});
const original = pendingRequest({
  state: 'succeeded',
  outcome: { summary: 'granted', azureRequestIds: [], createdIds: ['/x/roleAssignments/1'] },
  access: { durationMs: 60 * 86_400_000, expiresAt: '2025-02-18T09:00:00.000Z', extendedBy: ['R-EXTEND01'] },
});

test('a granted extension reads "Extended R-… until <end>", not as a request that expired unanswered', () => {
  const row = requestRow(extension, now) as Row;
  expect(row.state).toBe('extended');
  expect(STATE_LABEL[row.state]).toBe('Extended');
  expect(extensionFact(row)).toEqual(['Outcome', 'Extended R-7K2M9QXA until 2025-02-18 09:00 UTC']);
  const unanswered = requestRow(pendingRequest({ state: 'expired' }), now) as Row;
  expect(STATE_LABEL[unanswered.state]).toBe('Expired without a decision');
  expect(STATE_LABEL[row.state]).not.toBe(STATE_LABEL[unanswered.state]);
});

test('an extension that ended with its original reads revoked', () => {
  const ended = { ...extension, state: 'revoked' as const };
  expect(requestRow(ended, now).state).toBe('revoked');
});

test('the original’s drawer names the extension that moved its end', () => {
  const row = requestRow(original, now) as Row;
  expect(row.extendedBy).toEqual(['R-EXTEND01']);
  expect(extensionFact(row)).toEqual(['Extended by', 'R-EXTEND01']);
  // Nothing to say for a request never extended.
  expect(extensionFact(requestRow(pendingRequest(), now) as Row)[1]).toBeUndefined();
});
