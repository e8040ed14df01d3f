/**
 * The failed card of an extension whose run was refused because its original no longer holds
 * the access (ended, being revoked, revoked: `extend.notActive`; drifted: `extend.drifted`)
 * sends its requester to a new request of the same access, as the refusal itself says: `extend`
 * of that original is refused for the same reason. Any other failure of an extension is asked
 * for again with `extend`, and a request that extends nothing with its own command.
 */
import { outcomeCard } from '../../src/views/request-view';
import type { AccessRequest } from '../../src/domain/request';
import { APPROVER, grantPlan, pendingRequest } from './support/requests';

const TYPED = { cluster: 'name', registry: 'name' } as const;

/** An approved extension of R-ORIGINAL for 7 days whose run failed with `code`. */
const failedExtension = (errorCode: string, error: string, over: Partial<AccessRequest> = {}) =>
  pendingRequest({
    id: 'R-EXTENSN2',
    state: 'failed',
    plan: { ...grantPlan(), typed: TYPED },
    extendsRequestId: 'R-ORIGINAL',
    access: { durationMs: 7 * 86_400_000 },
    decision: { by: APPROVER, at: '2025-01-15T10:00:00.000Z', approved: true },
    outcome: { summary: 'Failed', azureRequestIds: [], error, errorCode },
    ...over,
  });

const textOf = (request: AccessRequest) => JSON.stringify(outcomeCard(request));

test.each([
  [
    'ended before the extension was approved',
    'extend.notActive',
    'The access of R-ORIGINAL ended at 2025-01-15 09:30 UTC, before its extension R-EXTENSN2 was approved, so there is nothing to extend; ask for a new request instead.',
  ],
  [
    'was revoked',
    'extend.notActive',
    'Request R-ORIGINAL no longer has active access, so there is nothing to extend; ask for a new request instead.',
  ],
  [
    'drifted',
    'extend.drifted',
    'The role assignment of R-ORIGINAL was removed outside acrbot, so extending R-ORIGINAL would not let aks-prod pull from contosoacr; nothing was extended.',
  ],
])('an extension refused because its original %s: a new request, never extend', (_, code, error) => {
  const text = textOf(failedExtension(code, error));
  expect(text).toContain(
    `${error} If you still need the access, make a new request: \\"@acrbot grant aks-prod contosoacr --for 7d REASON…\\".`,
  );
  expect(text).not.toContain('@acrbot extend');
  expect(text).not.toContain('Once fixed');
});

test('an extension that failed for another reason is asked for again with extend', () => {
  const text = textOf(failedExtension('azure.throttled', 'Azure was busy.'));
  expect(text).toContain(
    'Azure was busy. Once fixed, ask again: \\"@acrbot extend R-ORIGINAL --for 7d REASON…\\" (approved like a new request).',
  );
  expect(text).not.toContain('make a new request');
});

test("a request that extends nothing, failed with an extension's code, is asked for again as itself", () => {
  const text = textOf(failedExtension('extend.notActive', 'Gone.', { extendsRequestId: undefined }));
  expect(text).toContain(
    'Gone. Once fixed, ask again: \\"@acrbot grant aks-prod contosoacr --for 7d REASON…\\" (approved like a new request).',
  );
});
