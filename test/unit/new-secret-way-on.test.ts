/**
 * The endings of a new secret's refusals (domain/new-secret-way-on.ts) are one copy: each sentence
 * that gives that way on ends with its constant, so a rewording of either cannot silently leave
 * an extension's failure with advice `extend` cannot follow (secret-extension-way-on.ts finds the
 * ending to replace it). And the refusal of a secret acrbot wrote for another access before it
 * kept uids (legacyWriterSentence) gets an extension's way on too.
 */
import { ApiException } from '@kubernetes/client-node';
import {
  FOREIGN_SECRET_WAY_ON,
  LEGACY_WRITER_WAY_ON,
  MISSING_NAMESPACE_WAY_ON,
  NAMESPACE_TERMINATING_WAY_ON,
  SECRET_TERMINATING_WAY_ON,
  SERVICE_ACCOUNT_GONE_WAY_ON,
  STOPPED_CLUSTER_RUN_WAY_ON,
} from '../../src/domain/new-secret-way-on';
import { clusterStoppedRefusal } from '../../src/flows/secret-planner';
import type { SecretPlan } from '../../src/domain/plan';
import {
  decideReplacement,
  dockerConfigFingerprint,
  type ExistingSecret,
  legacyWriterSentence,
  pullSecretRecordId,
  secretDataFingerprint,
} from '../../src/domain/secret-ownership';
import { extensionWayOn } from '../../src/flows/secret-extension-way-on';
import {
  explainKubeError,
  namespaceTerminatingError,
  secretTerminatingError,
} from '../../src/integrations/kubernetes/kube-errors';
import { pendingRequest, secretPlan } from './support/requests';

const plan: SecretPlan = secretPlan({ serviceAccount: 'default' });
const OURS = '{"auths":{"contosoacr.azurecr.io":{"username":"acrbot-r-prev2345","password":"s3cr3t-fresh"}}}';
const THEIRS = '{"auths":{"contosoacr.azurecr.io":{"username":"team-token","password":"team-pw"}}}';

/** The request that wrote the secret: under uid-1 with OURS' fingerprint, or (`legacy`) with no uid recorded. */
const writer = (legacy = false, state: 'succeeded' | 'revoked' = 'succeeded') =>
  pendingRequest({
    id: 'R-PREV2345',
    state,
    plan,
    created: legacy
      ? []
      : [
          {
            kind: 'pullSecret',
            id: pullSecretRecordId(plan),
            name: 'acr-auth',
            uid: 'uid-1',
            dataFingerprint: dockerConfigFingerprint(OURS),
            recordedAt: '2025-04-01T09:00:00.000Z',
          },
        ],
  });
/** A new request for the same secret, and an extension of another access. */
const newRequest = pendingRequest({ id: 'R-NEW22222', plan });
const extension = pendingRequest({
  id: 'R-NEXT2222',
  plan,
  extendsRequestId: 'R-OTHER222',
  access: { durationMs: 2 * 3_600_000 },
});
/** The object acrbot wrote (uid-1), holding `THEIRS`, labelled `label` (null: none). */
const found = (label: string | null): ExistingSecret => ({
  ...(label !== null ? { requestIdLabel: label } : {}),
  managedBy: 'acrbot',
  writers: ['kubectl-client-side-apply'],
  uid: 'uid-1',
  dataFingerprint: secretDataFingerprint({ '.dockerconfigjson': Buffer.from(THEIRS).toString('base64') }),
});
const reason = (decision: ReturnType<typeof decideReplacement>) => (decision.replace ? '' : decision.reason);

describe("each refusal ends with its way on's constant", () => {
  test('a secret not acrbot’s: no label, its label naming a writer whose data was replaced, or vouched by records only', () => {
    for (const text of [
      reason(decideReplacement(newRequest, found(null), undefined)),
      reason(decideReplacement(newRequest, found('R-PREV2345'), writer())),
      reason(decideReplacement(extension, found(null), undefined, writer())),
    ]) {
      expect(text).toMatch(/^Secret payments\/acr-auth already exists/);
      expect(text.endsWith(FOREIGN_SECRET_WAY_ON)).toBe(true);
    }
  });

  test('a secret acrbot wrote before it kept uids, for a writer live or revoked, at plan or run', () => {
    for (const state of ['succeeded', 'revoked'] as const)
      for (const when of ['plan', 'run'] as const)
        expect(legacyWriterSentence(plan, writer(true, state), when).endsWith(LEGACY_WRITER_WAY_ON)).toBe(true);
    expect(reason(decideReplacement(extension, found('R-PREV2345'), writer(true))).endsWith(LEGACY_WRITER_WAY_ON)).toBe(
      true,
    );
  });

  test("a create into a namespace that does not exist (the Kubernetes adapter's 404)", () => {
    const notFound = new ApiException(
      404,
      'Not Found',
      JSON.stringify({ kind: 'Status', code: 404, reason: 'NotFound' }),
      {
        'content-type': 'application/json',
      },
    );
    const err = explainKubeError(notFound, {
      cluster: 'aks-prod',
      namespace: 'payments',
      verb: 'create',
      resource: 'secrets',
    });
    expect(err.code).toBe('kubernetes.notFound');
    expect(err.message.endsWith(MISSING_NAMESPACE_WAY_ON)).toBe(true);
    // A service account gone between the check and the link's PATCH.
    const link = explainKubeError(notFound, {
      cluster: 'aks-prod',
      namespace: 'payments',
      verb: 'patch',
      resource: 'service accounts',
    });
    expect(link.code).toBe('kubernetes.notFound');
    expect(link.message.endsWith(SERVICE_ACCOUNT_GONE_WAY_ON)).toBe(true);
  });

  test('a namespace being deleted', () => {
    const err = namespaceTerminatingError({ cluster: 'aks-prod', namespace: 'payments' });
    expect(err.code).toBe('kubernetes.namespaceTerminating');
    expect(err.message.endsWith(NAMESPACE_TERMINATING_WAY_ON)).toBe(true);
  });

  test('a secret being deleted, written into or not; a cluster stopped since the plan, with a credential made or not', () => {
    for (const writtenInto of [false, true]) {
      const deleting = secretTerminatingError(
        { cluster: 'aks-prod', namespace: 'payments' },
        'acr-auth',
        ['x.io/hold'],
        writtenInto,
      );
      expect(deleting.message.endsWith(SECRET_TERMINATING_WAY_ON)).toBe(true);
    }
    for (const earlierCredential of [false, true]) {
      const refusal = clusterStoppedRefusal(
        { subscriptionId: 'sub', name: 'aks-prod', resourceGroup: 'rg-aks' },
        { earlierCredential },
      );
      expect(refusal.code).toBe('cluster.stopped');
      expect(refusal.message.endsWith(STOPPED_CLUSTER_RUN_WAY_ON)).toBe(true);
    }
  });
});

test("an extension refused over another access's secret written before uids were kept: extend again, or a new secret", () => {
  const refusal = reason(decideReplacement(extension, found('R-PREV2345'), writer(true, 'revoked')));
  const text = extensionWayOn(refusal, 'kubernetes.foreignSecret', extension);
  expect(text).not.toContain('--name.');
  expect(text).not.toContain('ask again');
  expect(text).toMatch(
    /Delete the secret in the cluster once nothing uses it, then extend again \(an extension writes only into this secret\); or ask for a new pull secret under another name: "@acrbot secret .* --name NEW-NAME .*--for 2h REASON…"\.$/,
  );
});
