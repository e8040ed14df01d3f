/**
 * What `npm run store:owed` and a failing job's report name for work an operator may do by hand:
 * an orphan watch's role assignment id (the full `az role assignment delete --ids <id>`), and a
 * clean-up's credential by kind and names. Names and ids only, never a secret.
 */
import { formatOwed, owedJobDetail } from '../../scripts/store/owed';
import { jobInWords } from '../../src/composition/scheduler';
import type { ScheduledJob } from '../../src/domain/ports';
import { encodeCredentialRef } from '../../src/domain/secret-credential';
import { grantPlan, pendingRequest, secretPlan } from './support/requests';

const plan = grantPlan();
const assignmentId = `${plan.scope}/providers/Microsoft.Authorization/roleAssignments/${plan.roleAssignmentName}`;
const revoked = pendingRequest({ id: 'R-watch', state: 'revoked', plan });
const token = encodeCredentialRef({
  kind: 'token',
  subscriptionId: 'sub-1',
  resourceGroup: 'rg-acr',
  registry: 'contosoacr',
  tokenName: 'acrbot-r-clean',
  scopeMapName: 'acrbot-r-clean-map',
});
const failed = pendingRequest({
  id: 'R-clean',
  state: 'failed',
  plan: secretPlan(),
  outcome: { summary: 'failed', azureRequestIds: [], cleanup: 'pending', credentialRef: token },
});
const job = (kind: ScheduledJob['kind'], requestId: string): ScheduledJob =>
  ({ id: `${kind}:${requestId}`, kind, requestId, dueAt: '2026-12-01T10:00:00.000Z', attempts: 0 }) as ScheduledJob;

describe('store:owed names what a job done by hand would delete', () => {
  test('an orphan watch: the role assignment id and the command', () => {
    expect(owedJobDetail(job('access.orphanWatch', revoked.id), revoked)).toBe(
      `role assignment ${assignmentId} (az role assignment delete --ids ${assignmentId})`,
    );
  });

  test('a clean-up: the credential by kind and names', () => {
    expect(owedJobDetail(job('cleanup.credential', failed.id), failed)).toBe(
      'ACR token acrbot-r-clean and scope map acrbot-r-clean-map on registry contosoacr (resource group rg-acr, subscription sub-1)',
    );
    const sp = pendingRequest({
      ...failed,
      outcome: {
        summary: 'failed',
        azureRequestIds: [],
        credentialRef: encodeCredentialRef({
          kind: 'sp',
          applicationId: 'obj-1',
          appId: 'app-1',
          uniqueName: 'acrbot-u',
        }),
      },
    });
    expect(owedJobDetail(job('cleanup.credential', sp.id), sp)).toBe(
      'service principal and application (--kind sp): app id app-1, object id obj-1, unique name acrbot-u',
    );
  });

  test('the listing prints each detail under its job', () => {
    const watch = job('access.orphanWatch', revoked.id);
    const clean = job('cleanup.credential', failed.id);
    const text = formatOwed('SQLite file x', {
      requests: [],
      jobs: [watch, clean],
      recurring: [],
      truncated: false,
      details: {
        [watch.id]: owedJobDetail(watch, revoked)!,
        [clean.id]: owedJobDetail(clean, failed)!,
      },
    });
    expect(text).toContain(`    R-watch  due 2026-12-01T10:00:00.000Z\n      role assignment ${assignmentId}`);
    expect(text).toContain('    R-clean  due 2026-12-01T10:00:00.000Z\n      ACR token acrbot-r-clean');
  });
});

describe("a failing job's report names the object when the request is known", () => {
  test('the orphan watch: the full --ids', () => {
    const words = jobInWords(job('access.orphanWatch', revoked.id), revoked, 'x');
    expect(words.meanwhile).toContain(`az role assignment delete --ids ${assignmentId})`);
  });

  test('the clean-up: the credential as the outcome names it', () => {
    const words = jobInWords(job('cleanup.credential', failed.id), failed, 'x');
    expect(words.what).toBe(
      'Deleting the credential left over from R-clean (ACR token acrbot-r-clean on registry contosoacr)',
    );
  });
});
