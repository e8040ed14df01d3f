/**
 * A secret written by a request whose run is still executing is not yet acrbot's to rotate, even
 * when it is the very object (uid) with the very data (fingerprint) that run recorded writing:
 * the run may still fail and undo it. Refused whether the label names that request or the label
 * was taken off and only acrbot's records name it.
 */
import type { SecretPlan } from '../../src/domain/plan';
import {
  decideReplacement,
  dockerConfigFingerprint,
  type ExistingSecret,
  pullSecretRecordId,
  secretDataFingerprint,
} from '../../src/domain/secret-ownership';
import { grantPlan, pendingRequest, secretPlan } from './support/requests';

const plan: SecretPlan = secretPlan({ cluster: { ...grantPlan().cluster, aadEnabled: true } });
const OURS = '{"auths":{"contosoacr.azurecr.io":{"username":"acrbot-r-prev2345","password":"s3cr3t-fresh"}}}';

/** R-PREV2345 wrote the secret (uid-1, fingerprint of OURS) and is in `state`. */
const writer = (state: 'executing' | 'succeeded') =>
  pendingRequest({
    id: 'R-PREV2345',
    state,
    plan,
    created: [
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
const extension = pendingRequest({ id: 'R-NEXT2222', plan, extendsRequestId: 'R-PREV2345' });
const found = (label: string | null): ExistingSecret => ({
  ...(label !== null ? { requestIdLabel: label } : {}),
  managedBy: 'acrbot',
  writers: ['acrbot'],
  uid: 'uid-1',
  dataFingerprint: secretDataFingerprint({ '.dockerconfigjson': Buffer.from(OURS).toString('base64') }),
});

test('labelled with a request still executing: refused, naming its state', () => {
  // The same secret from a finished writer is replaced: only the state refuses it.
  expect(decideReplacement(extension, found('R-PREV2345'), writer('succeeded'))).toMatchObject({ replace: true });
  const decision = decideReplacement(extension, found('R-PREV2345'), writer('executing'));
  expect(decision).toMatchObject({ replace: false, code: 'kubernetes.foreignSecret' });
  expect(decision.replace === false && decision.reason).toMatch(/executing/);
});

test('label taken off, recorded writer still executing: its records do not vouch', () => {
  expect(decideReplacement(extension, found(null), undefined, writer('succeeded'))).toMatchObject({
    replace: true,
  });
  const decision = decideReplacement(extension, found(null), undefined, writer('executing'));
  expect(decision).toMatchObject({ replace: false, code: 'kubernetes.foreignSecret' });
});
