/** G15 decisions from acrbot's own records: which secret may be replaced, which application may be used. */
import type { SecretPlan } from '../../src/domain/plan';
import {
  acrbotServiceAccountEntries,
  serviceAccountEntriesAfterWrite,
  applicationProblem,
  type ApplicationHolders,
  credentialOf,
  credentialRefProblem,
  decideReplacement,
  pullSecretRecordId,
  writtenSecretUid,
} from '../../src/domain/secret-ownership';
import { grantPlan, pendingRequest, REGISTRY_ID, secretPlan, SUB } from './support/requests';

describe('applicationProblem (an application acrbot holds alone)', () => {
  const bot = { id: 'b07a', type: 'servicePrincipal' as const };
  /** Held by acrbot alone: its service principal owned by acrbot only, with no credential of its own. */
  const alone = (over: Partial<ApplicationHolders> = {}): ApplicationHolders => ({
    owners: [bot],
    passwordKeyIds: [],
    certificateKeyIds: [],
    federatedCredentials: [],
    servicePrincipal: { id: 'sp', owners: [bot], passwordKeyIds: [], certificateKeyIds: [] },
    ...over,
  });
  const own = (passwordKeyIds: string[], passwordMarkers: string[] = []) => ({
    servicePrincipalId: 'b07a',
    passwordKeyIds,
    passwordMarkers,
  });
  test('acrbot alone, with only the passwords it recorded → usable', () => {
    expect(applicationProblem(alone({ passwordKeyIds: ['k1'] }), own(['k1']))).toBeUndefined();
    expect(applicationProblem(alone(), own([]))).toBeUndefined();
  });
  test('a password whose key id acrbot never learnt counts as its own only by the marker it recorded', () => {
    const holders = alone({
      passwordKeyIds: ['k1', 'k2'],
      passwordDisplayNames: { k1: 'acrbot image pull R-1 m1', k2: 'acrbot image pull R-1 guess' },
    });
    expect(
      applicationProblem(holders, own([], ['acrbot image pull R-1 m1', 'acrbot image pull R-1 guess'])),
    ).toBeUndefined();
    // Same prefix, unrecorded marker: someone else's password.
    expect(applicationProblem(holders, own([], ['acrbot image pull R-1 m1']))).toMatch(/a password acrbot did not add/);
  });
  test.each([
    ['a person as second owner', alone({ owners: [bot, { id: 'u', type: 'user' }] }), /an owner other than acrbot/],
    [
      'another service principal as second owner',
      alone({ owners: [bot, { id: 'x', type: 'servicePrincipal' }] }),
      /an owner other than acrbot/,
    ],
    [
      "a sole service principal owner that is not acrbot's",
      alone({ owners: [{ id: 'x', type: 'servicePrincipal' }] }),
      /an owner other than acrbot/,
    ],
    ['no owner at all', alone({ owners: [] }), /no owner/],
    ['a password acrbot did not add', alone({ passwordKeyIds: ['k1', 'theirs'] }), /a password acrbot did not add/],
    ['a certificate', alone({ certificateKeyIds: ['c'] }), /certificate/],
    [
      'a federated identity credential',
      alone({ federatedCredentials: [{ id: 'f', name: 'ci', issuer: 'https://issuer', subject: 's' }] }),
      /federated identity credential acrbot did not create/,
    ],
    [
      'another owner of its service principal',
      alone({
        servicePrincipal: {
          id: 'sp',
          owners: [bot, { id: 'u', type: 'user' }],
          passwordKeyIds: [],
          certificateKeyIds: [],
        },
      }),
      /service principal owner other than acrbot/,
    ],
    [
      'a password on its service principal',
      alone({ servicePrincipal: { id: 'sp', owners: [], passwordKeyIds: ['k1'], certificateKeyIds: [] } }),
      /password on its service principal/,
    ],
    ['its service principal not read', alone({ servicePrincipal: undefined }), /could not inspect/],
  ])('%s → refused', (_what, holders, message) => {
    expect(applicationProblem(holders, own(['k1']))).toMatch(message);
  });
});

describe('a request stored before `created` records existed (legacy)', () => {
  const plan: SecretPlan = secretPlan({ cluster: { ...grantPlan().cluster, aadEnabled: true } });
  const legacy = (createdIds?: string[]) =>
    pendingRequest({
      id: 'R-LEGACY22',
      state: 'succeeded',
      plan,
      created: undefined,
      outcome: { summary: 'done', azureRequestIds: [], createdIds },
    });
  const ref = {
    kind: 'token' as const,
    subscriptionId: SUB,
    resourceGroup: plan.registry.resourceGroup,
    registry: plan.registry.name,
    tokenName: 'acrbot-r-legacy22',
  };

  test('the token name alone proves nothing: not rebuilt, not deletable', () => {
    expect(credentialOf(legacy())).toBeUndefined();
    expect(credentialRefProblem(ref, legacy())).toMatch(/not recorded/);
    expect(credentialRefProblem(ref, legacy([`${REGISTRY_ID}/tokens/acrbot-r-other`]))).toMatch(/not recorded/);
  });

  test('the stored outcome naming that token vouches for it', () => {
    const vouched = legacy([`${REGISTRY_ID}/tokens/acrbot-r-legacy22`]);
    expect(credentialOf(vouched)).toMatchObject({ kind: 'token', tokenName: 'acrbot-r-legacy22' });
    expect(credentialRefProblem(ref, vouched)).toBeUndefined();
  });
});

describe('decideReplacement: the secret a label names must be the object acrbot wrote (uid)', () => {
  const plan: SecretPlan = secretPlan({ cluster: { ...grantPlan().cluster, aadEnabled: true } });
  const written = (uid?: string) =>
    pendingRequest({
      id: 'R-PREV2345',
      state: 'succeeded',
      plan,
      created: [
        {
          kind: 'pullSecret',
          id: pullSecretRecordId(plan),
          name: 'acr-auth',
          uid,
          recordedAt: '2025-04-01T09:00:00.000Z',
        },
      ],
    });
  const next = pendingRequest({ id: 'R-NEXT2222', plan });
  const labelled = (uid: string) => ({ requestIdLabel: 'R-PREV2345', managedBy: 'acrbot', writers: [], uid });

  test('the object acrbot wrote for the labelled request (same uid) may be replaced', () => {
    expect(writtenSecretUid(written('uid-1'))).toBe('uid-1');
    expect(decideReplacement(next, labelled('uid-1'), written('uid-1'))).toMatchObject({ replace: true });
  });

  test('another object carrying the copied label is refused', () => {
    expect(decideReplacement(next, labelled('uid-2'), written('uid-1'))).toMatchObject({
      replace: false,
      reason: expect.stringMatching(/not the secret acrbot wrote for R-PREV2345/),
    });
  });

  test('a request recorded before uids were kept: the label alone (a hint, G15) is refused to another request', () => {
    expect(writtenSecretUid(written(undefined))).toBeUndefined();
    expect(decideReplacement(next, labelled('uid-2'), written(undefined))).toMatchObject({
      replace: false,
      code: 'kubernetes.foreignSecret',
      reason: expect.stringMatching(/before it recorded which secret object it wrote; only an extension of R-PREV2345/),
    });
  });

  test('... and enough for an extension of that very access (its own label and records)', () => {
    const extension = { ...next, extendsRequestId: 'R-PREV2345' };
    expect(decideReplacement(extension, labelled('uid-2'), written(undefined))).toMatchObject({ replace: true });
  });
});

describe('an application known only by the uniqueName acrbot recorded before creating it (G14, G15)', () => {
  const request = (names: string[]) =>
    pendingRequest({
      state: 'failed',
      plan: secretPlan({ credentialKind: 'sp' }),
      created: names.map((name) => ({ kind: 'application', id: '', name, recordedAt: '2025-01-15T09:00:00.000Z' })),
    });
  const byName = (uniqueName: string) => ({ kind: 'sp' as const, applicationId: '', appId: '', uniqueName });

  test('is acted on when the request recorded that name', () => {
    expect(credentialRefProblem(byName('acrbot-r-1-00ff'), request(['acrbot-r-1-00ff']))).toBeUndefined();
  });

  test('is refused when the name is not the one recorded, or carries a role assignment it cannot vouch for', () => {
    expect(credentialRefProblem(byName('someone-elses-app'), request(['acrbot-r-1-00ff']))).toMatch(/not recorded/);
    expect(credentialRefProblem(byName('acrbot-r-1-00ff'), request([]))).toMatch(/not recorded/);
    const withAssignment = {
      ...byName('acrbot-r-1-00ff'),
      roleAssignment: { scope: REGISTRY_ID, name: '00000000-0000-4000-8000-000000000001', subscriptionId: SUB },
    };
    expect(credentialRefProblem(withAssignment, request(['acrbot-r-1-00ff']))).toBeDefined();
  });
});

describe("the service principal id a --kind sp credential carries (its role assignment's principal)", () => {
  const APP = '00000000-0000-4000-8000-0000000000a1';
  const SP = '00000000-0000-4000-8000-0000000000b2';
  const RA = '00000000-0000-4000-8000-0000000000c3';
  const at = '2025-01-15T09:00:00.000Z';
  const request = (spId: string) =>
    pendingRequest({
      state: 'succeeded',
      plan: secretPlan({ credentialKind: 'sp' }),
      created: [
        { kind: 'application', id: APP, name: 'acrbot-r-1-00ff', recordedAt: at },
        { kind: 'servicePrincipal', id: spId, name: 'app-id-1', recordedAt: at },
        {
          kind: 'roleAssignment',
          id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/${RA}`,
          name: RA,
          recordedAt: at,
        },
      ],
    });

  test('is rebuilt from the service principal acrbot recorded making, and vouched for by that record', () => {
    const ref = credentialOf(request(SP));
    expect(ref).toEqual({
      kind: 'sp',
      applicationId: APP,
      appId: 'app-id-1',
      servicePrincipalId: SP,
      roleAssignment: { scope: REGISTRY_ID, name: RA, subscriptionId: SUB },
    });
    expect(credentialRefProblem(ref!, request(SP))).toBeUndefined();
  });

  test('one the request did not record is refused: its assignments are not acrbot’s to delete', () => {
    const ref = { ...credentialOf(request(SP))!, servicePrincipalId: '00000000-0000-4000-8000-0000000000e5' };
    expect(credentialRefProblem(ref, request(SP))).toMatch(/service principal is not recorded/);
  });

  test('a record without its id (before the service principal was made) carries none, as older references', () => {
    expect(credentialOf(request(''))).not.toHaveProperty('servicePrincipalId');
  });
});

describe('imagePullSecrets entries acrbot added (G15)', () => {
  const plan = (serviceAccount?: string) => ({ ...secretPlan(), serviceAccount });
  const written = (
    serviceAccount: string | undefined,
    secret: { serviceAccountPatched: boolean; serviceAccounts?: string[] },
  ) =>
    pendingRequest({
      state: 'succeeded',
      plan: plan(serviceAccount),
      outcome: { summary: 'ok', azureRequestIds: [], secret: { action: 'created', ...secret } },
    });

  test('the list the run recorded decides; a request recorded before it vouches only for its own patch', () => {
    expect(
      acrbotServiceAccountEntries(written('default', { serviceAccountPatched: false, serviceAccounts: ['builder'] })),
    ).toEqual(['builder']);
    expect(acrbotServiceAccountEntries(written('default', { serviceAccountPatched: true }))).toEqual(['default']);
    expect(acrbotServiceAccountEntries(written('default', { serviceAccountPatched: false }))).toEqual([]);
    expect(acrbotServiceAccountEntries(pendingRequest({ plan: plan('default') }))).toEqual([]);
  });

  test("a write keeps the replaced request's entries and adds its own only when it patched one in", () => {
    const replaced = written('default', { serviceAccountPatched: true });
    expect(serviceAccountEntriesAfterWrite(plan('builder'), true, replaced)).toEqual(['default', 'builder']);
    expect(serviceAccountEntriesAfterWrite(plan('default'), false, replaced)).toEqual(['default']);
    expect(serviceAccountEntriesAfterWrite(plan(undefined), false, replaced)).toEqual(['default']);
    // Already listed before acrbot linked it, nothing replaced: not acrbot's.
    expect(serviceAccountEntriesAfterWrite(plan('default'), false, undefined)).toEqual([]);
  });
});
