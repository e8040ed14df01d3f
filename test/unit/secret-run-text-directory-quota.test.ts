/**
 * Graph's `Directory_QuotaExceeded` on a `--kind sp` secret (secret-run-text.ts
 * `explainCreateFailure`): one code for two quotas, acrbot's own (250 objects for a creator without
 * an administrator role) and the tenant's. Graph's sentence tells which; without it, both are
 * named. The ways out stay least-privilege: unused secrets ended, or the tenant's administrators.
 */
import { CloudApiError } from '../../src/domain/ports';
import type { SecretPlan } from '../../src/domain/plan';
import { explainCreateFailure } from '../../src/flows/secret-run-text';
import { GraphError, graphFailure } from '../../src/integrations/graph/graph-failure';

const plan = {
  kind: 'secret',
  credentialKind: 'sp',
  registry: { name: 'contosoacr' },
  cluster: { name: 'aks-dev' },
} as unknown as SecretPlan;

/** The ports' error as the Graph adapter throws it, Graph's own sentence on its cause. */
function quotaError(serviceMessage: string | undefined): CloudApiError {
  return graphFailure(
    new GraphError(400, 'Directory_QuotaExceeded', 'req-1', serviceMessage),
    'creating the application failed',
  );
}

const PRINCIPAL =
  'The directory object quota limit for the Principal has been exceeded. Please ask your administrator to increase the quota limit or delete objects to reduce the used quota.';
const TENANT =
  'The directory object quota limit for the Tenant has been exceeded. Please ask your administrator to increase the quota limit or delete objects to reduce the used quota.';

describe('Directory_QuotaExceeded on a --kind sp secret', () => {
  test("Graph names the principal: acrbot's own quota, ending unused --kind sp secrets, no broader rights", () => {
    const error = explainCreateFailure(quotaError(PRINCIPAL), plan);
    expect(error.code).toBe('graph.directoryQuota');
    expect(error.message).toMatch(/^acrbot's identity has created as many Microsoft Entra directory objects/);
    expect(error.message).toContain('Ask for --kind token (the default) instead');
    expect(error.message).toContain('end --kind sp secrets nobody uses');
    expect(error.message).not.toContain('creation rights');
    expect(error.message).not.toContain('tenant');
    expect(error.message).toContain('Microsoft Graph request id req-1');
  });

  test("Graph names the tenant: the tenant's quota, not acrbot's, and its administrators", () => {
    const error = explainCreateFailure(quotaError(TENANT), plan);
    expect(error.code).toBe('graph.directoryQuota');
    expect(error.message).toMatch(/^The Microsoft Entra tenant is at its directory object quota/);
    expect(error.message).toContain("the tenant's quota, not acrbot's own");
    expect(error.message).toContain("ask the tenant's administrators");
    expect(error.message).not.toContain('250');
    expect(error.message).toContain('Ask for --kind token (the default) instead');
  });

  test('no sentence from Graph: both quotas named, each with its way out', () => {
    for (const err of [quotaError(undefined), new CloudApiError('Directory_QuotaExceeded', 400, 'x', 'req-2')]) {
      const message = explainCreateFailure(err, plan).message;
      expect(message).toMatch(
        /^acrbot's identity \(250 objects without an administrator role\) or the tenant is at its Microsoft Entra directory object quota/,
      );
      expect(message).toContain('end --kind sp secrets nobody uses');
      expect(message).toContain("ask the tenant's administrators");
      expect(message).not.toContain('creation rights');
    }
  });
});
