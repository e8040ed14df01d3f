/**
 * What the approvers' report of a failing revocation advises, by the failure: a passing one (5xx,
 * 408, 429, no answer) says acrbot retries and nothing is needed by hand unless it lasts; the 403
 * text only for a 403; any other refusal, deleting by hand. And which failures are passing.
 */
import { jobInWords } from '../../src/composition/scheduler';
import { UserFacingError } from '../../src/domain/errors';
import type { AccessRequest } from '../../src/domain/request';
import { encodeCredentialRef } from '../../src/domain/secret-credential';
import { CloudApiError } from '../../src/domain/ports';
import { revocationAdvice } from '../../src/flows/azure-failure-text';
import { passingFailure } from '../../src/flows/outage-report-failure';

const arm = (status: number | undefined, code: string) => new CloudApiError(code, status, 'deleting failed');
const wrapped = (cause: unknown) => new Error('the revocation failed', { cause });

test.each([
  [503, 'ServiceUnavailable', 'Azure answered 503 ServiceUnavailable'],
  [500, 'InternalServerError', 'Azure answered 500 InternalServerError'],
  [408, 'RequestTimeout', 'Azure answered 408 RequestTimeout'],
  [undefined, 'ECONNRESET', 'Azure did not answer (a timeout or a dropped connection)'],
  [undefined, 'ETIMEDOUT', 'Azure did not answer'],
  [undefined, 'REQUEST_SEND_ERROR', 'Azure did not answer'],
])('a passing failure (%s %s): acrbot retries, nothing by hand unless it lasts', (status, code, says) => {
  const advice = revocationAdvice(wrapped(arm(status, code)));
  expect(advice).toContain(says);
  expect(advice).toContain('a temporary failure (most likely an Azure outage), not a refusal');
  expect(advice).not.toContain('passing');
  expect(advice).toContain('acrbot keeps retrying, and the access ends as soon as Azure answers');
  expect(advice).toContain('nothing is needed by hand unless it lasts for hours');
  expect(advice).not.toContain('403');
  expect(advice).not.toContain('delete it in Azure by hand');
});

test('a 429 is throttling, not an outage: said so, with where to look if it lasts', () => {
  const advice = revocationAdvice(wrapped(arm(429, 'TooManyRequests')));
  expect(advice).toContain("Azure answered 429 TooManyRequests: it is throttling acrbot's calls");
  expect(advice).not.toContain('outage');
  expect(advice).toContain('a temporary failure, not a refusal');
  expect(advice).not.toContain('passing');
  expect(advice).toContain("the subscription's Azure Resource Manager request limits");
  expect(advice).toContain('which other tools call it');
  expect(advice).toContain('nothing is needed by hand unless it lasts for hours');
  const graph = Object.assign(arm(429, 'TooManyRequests'), { service: 'Microsoft Graph' });
  expect(revocationAdvice(graph)).toContain("Microsoft Graph's request limits for acrbot's identity");
});

test("an outage of Microsoft Graph is named as Graph's, not Azure's", () => {
  const graph = Object.assign(arm(503, 'ServiceUnavailable'), { service: 'Microsoft Graph' });
  expect(revocationAdvice(wrapped(graph))).toContain(
    'Microsoft Graph answered 503 ServiceUnavailable: a temporary failure (most likely a Microsoft Graph outage), not a refusal',
  );
});

test('a 403: the missing right and the delete by hand (also under a sentence that wraps it)', () => {
  for (const err of [
    arm(403, 'AuthorizationFailed'),
    new UserFacingError('registry.cannotTell', 'acrbot cannot tell whether it was deleted', {
      cause: arm(403, 'AuthorizationFailed'),
    }),
  ]) {
    const advice = revocationAdvice(err);
    expect(advice).toContain('Azure refused (403): acrbot lacks a right it needs there');
    expect(advice).toContain('To end the access at once, delete it in Azure by hand');
    expect(advice).not.toContain('temporary failure');
    // The guide by name: a path in the repository is no link in Teams.
    expect(advice).toContain("see Troubleshooting in acrbot's deployment guide");
    expect(advice).not.toContain('docs/');
  }
});

const SCOPE = '/subscriptions/s1/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr';
const RECORDED = `${SCOPE}/providers/Microsoft.Authorization/roleAssignments/recorded-name`;
const grant = {
  plan: { kind: 'grant', scope: SCOPE, roleAssignmentName: 'planned-name' },
  created: [{ kind: 'roleAssignment', id: RECORDED }],
} as unknown as AccessRequest;
const token = {
  plan: { kind: 'secret' },
  outcome: {
    credentialRef: encodeCredentialRef({
      kind: 'token',
      subscriptionId: 's1',
      resourceGroup: 'rg-acr',
      registry: 'contosoacr',
      tokenName: 'acrbot-r-7',
    }),
  },
} as unknown as AccessRequest;
const sp = {
  plan: { kind: 'secret' },
  outcome: { credentialRef: encodeCredentialRef({ kind: 'sp', applicationId: 'app-object-1', appId: 'app-id-1' }) },
} as unknown as AccessRequest;

test.each([
  [
    'a grant: the role assignment acrbot recorded',
    grant,
    `the role assignment acrbot made (az role assignment delete --ids ${RECORDED})`,
  ],
  [
    'a token secret: the token its outcome recorded',
    token,
    'ACR token acrbot-r-7 on registry contosoacr (az acr token delete --subscription s1 --registry contosoacr --name acrbot-r-7 --yes)',
  ],
  [
    'a service principal secret: its application',
    sp,
    'the application of service principal app-id-1 (az ad app delete --id app-object-1)',
  ],
])('the delete by hand names what to delete and how (%s), for a 403 and any other refusal', (_name, request, named) => {
  for (const err of [arm(403, 'AuthorizationFailed'), arm(409, 'Conflict')]) {
    const advice = revocationAdvice(err, request);
    expect(advice).toContain(
      `To end the access at once, delete by hand ${named}: the next attempt finds it gone and finishes`,
    );
    expect(advice).not.toContain('delete it in Azure by hand');
  }
});

test("the orphan watch's report names the role assignment with the same command", () => {
  const words = jobInWords({ id: 'access.orphanWatch:R-1', kind: 'access.orphanWatch', requestId: 'R-1' }, grant, 'x');
  expect(words.meanwhile).toContain(`delete the role assignment by hand (az role assignment delete --ids ${RECORDED})`);
});

test.each([
  ['401', arm(401, 'InvalidAuthenticationToken')],
  ['404', arm(404, 'SubscriptionNotFound')],
  ['409', arm(409, 'Conflict')],
  ['unclassified', new Error('something else')],
  [
    'a sentence for people over a 503',
    new UserFacingError('x', 'a sentence', { cause: arm(503, 'ServiceUnavailable') }),
  ],
])('another refusal (%s): the delete by hand, without the 403 text', (_name, err) => {
  const advice = revocationAdvice(err);
  expect(advice).toBe(
    ' To end the access at once, delete it in Azure by hand: the next attempt finds it gone and finishes.',
  );
});

test('a lock and a moved registry keep their own advice', () => {
  expect(revocationAdvice(arm(409, 'ScopeLocked'))).toContain('blocks the delete (Azure answered ScopeLocked)');
  expect(revocationAdvice(new UserFacingError('registry.moved', 'moved'))).toBe('');
});

test('passing failures are grouped by service and status; several at once only when each is passing', () => {
  expect(passingFailure(wrapped(arm(503, 'ServiceUnavailable')))).toEqual({
    service: 'Azure',
    answer: '503 ServiceUnavailable',
    key: 'Azure:503',
  });
  const graph = Object.assign(arm(502, 'BadGateway'), { service: 'Microsoft Graph' });
  expect(passingFailure(graph)).toMatchObject({ service: 'Microsoft Graph', key: 'Microsoft Graph:502' });
  expect(passingFailure(arm(undefined, 'ECONNREFUSED'))).toMatchObject({ answer: 'no answer', key: 'Azure:noAnswer' });
  // A code not shaped like ARM's is not quoted.
  expect(passingFailure(arm(503, 'a proxy <b>said</b>'))?.answer).toBe('503');
  const both = [arm(503, 'ServiceUnavailable'), arm(500, 'InternalServerError')];
  expect(passingFailure(wrapped(new AggregateError(both, 'several')))).toMatchObject({ key: 'Azure:503' });
  expect(passingFailure(new AggregateError([both[0], arm(403, 'AuthorizationFailed')], 'several'))).toBeUndefined();
  expect(passingFailure(arm(403, 'AuthorizationFailed'))).toBeUndefined();
  expect(passingFailure(new Error('no status'))).toBeUndefined();
});
