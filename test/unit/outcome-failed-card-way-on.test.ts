/**
 * The closing words of a failed run's card agree with the way on its error gives:
 * - a cluster or registry no longer at its recorded id (deleted, or a registry moved to another
 *   resource group or subscription; a cluster cannot be moved; not-at-recorded-id.ts): a new
 *   request once acrbot has Reader where it is now, or once it exists again, with the pair named bare (an id it was typed with is the old
 *   one), not "if it is created again" alone;
 * - a pull secret's extension refused over a secret that is not acrbot's, or a namespace that does
 *   not exist: its error offers `extend` again (the secret removed, the namespace made again) or a
 *   new pull secret under another name or namespace (secret-extension-way-on.ts), so the card's
 *   command is `extend`, never a new request for the same secret (which would be refused the same
 *   way): those codes are not NEW_REQUEST_CODES.
 */
import { NEW_REQUEST_CODES, recheckGone } from '../../src/domain/new-request-codes';
import { notAtRecordedId } from '../../src/domain/not-at-recorded-id';
import type { AccessRequest } from '../../src/domain/request';
import { outcomeCard } from '../../src/views/request-view';
import { APPROVER, grantPlan, pendingRequest, REGISTRY_ID, secretPlan } from './support/requests';

const failed = (over: Partial<AccessRequest>, errorCode: string, error: string): string =>
  JSON.stringify(
    outcomeCard(
      pendingRequest({
        state: 'failed',
        decision: { by: APPROVER, at: '2025-01-15T09:05:00.000Z', approved: true },
        outcome: { summary: 'Failed', azureRequestIds: [], error, errorCode },
        ...over,
      }),
    ),
  );

test.each([
  [
    'registry',
    'Registry contosoacr is no longer at its recorded id: deleted, or moved to another resource group or subscription, so the role was not assigned. If it was moved, give acrbot Reader where it is now. Then, or once it is created again if it was deleted, make a new request: \\"@acrbot grant aks-prod contosoacr --for 1d REASON…\\".',
  ],
  // An AKS cluster cannot be moved to another resource group or subscription: deleted, only.
  [
    'cluster',
    'Cluster aks-prod no longer exists (deleted), so the role was not assigned. Once it is created again, make a new request: \\"@acrbot grant aks-prod contosoacr --for 1d REASON…\\".',
  ],
] as const)(
  'a %s no longer at its recorded id: the card says a new request once it is there to read, naming it bare',
  (kind, words) => {
    const plan = grantPlan(); // typed by id: the command would name the old id
    const text = failed(
      { plan, access: { durationMs: 86_400_000 } },
      recheckGone(kind),
      notAtRecordedId(kind, plan, 'the role was not assigned', false),
    );
    expect(text).toContain(words);
    expect(text).not.toContain('if it is created again, make a new request');
    expect(text).not.toContain(`grant ${REGISTRY_ID}`);
    expect(text).not.toContain('/subscriptions/');
  },
);

test.each([
  [
    'kubernetes.foreignSecret',
    'Secret payments/acr-auth in cluster aks-prod was not written by acrbot for this access; acrbot will not overwrite it; an extension writes only into this secret, so ask whoever owns it to remove it and then extend again, or ask for a new pull secret under another name: "@acrbot secret aks-prod contosoacr --namespace payments --name NEW-NAME --for 2h REASON…".',
  ],
  [
    'kubernetes.notFound',
    'Namespace payments does not exist in cluster aks-prod; an extension writes only into namespace payments, so have it created again and then extend again, or ask for a new pull secret in the workload\'s namespace: "@acrbot secret aks-prod contosoacr --namespace NAMESPACE --name acr-auth --for 2h REASON…".',
  ],
])('a secret extension refused with %s: the card closes with extend, as its error offers', (code, error) => {
  expect(NEW_REQUEST_CODES.has(code)).toBe(false);
  const text = failed(
    {
      plan: secretPlan(),
      extendsRequestId: 'R-ORIGINAL',
      access: { durationMs: 2 * 3_600_000 },
    },
    code,
    `${error} Access of R-ORIGINAL was not extended; it still ends at 2025-01-15 12:00 UTC.`,
  );
  expect(text).toContain('and then extend again');
  expect(text).toContain(
    'Once fixed, ask again: \\"@acrbot extend R-ORIGINAL --for 2h REASON…\\" (approved like a new request).',
  );
  expect(text).not.toContain('make a new request');
});
