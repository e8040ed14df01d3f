/**
 * G15 by the data as well as the object: acrbot replaces a secret only while it holds what
 * acrbot's records say it wrote (a GitOps sync or `kubectl apply` that takes the name over keeps
 * the uid and acrbot's labels, and puts its own data in), and a label a policy engine took off
 * does not make acrbot's own secret someone else's when its records prove it by uid and data.
 */
import type { SecretPlan } from '../../src/domain/plan';
import type { CreatedObject } from '../../src/domain/request';
import {
  decideReplacement,
  dockerConfigFingerprint,
  type ExistingSecret,
  pullSecretRecordId,
  secretDataFingerprint,
  startedWriteFingerprints,
  writeStartedRecord,
  writtenSecretFingerprint,
} from '../../src/domain/secret-ownership';
import { grantPlan, pendingRequest, secretPlan } from './support/requests';

const plan: SecretPlan = secretPlan({ cluster: { ...grantPlan().cluster, aadEnabled: true } });
const OURS = '{"auths":{"contosoacr.azurecr.io":{"username":"acrbot-r-prev2345","password":"s3cr3t-fresh"}}}';
const THEIRS = '{"auths":{"contosoacr.azurecr.io":{"username":"team-token","password":"team-pw"}}}';
const base64 = (text: string) => Buffer.from(text).toString('base64');

/** A request that wrote the secret (uid-1), with `dataFingerprint` recorded or not. */
const writer = (dataFingerprint?: string, id = 'R-PREV2345') =>
  pendingRequest({
    id,
    state: 'succeeded',
    plan,
    created: [
      {
        kind: 'pullSecret',
        id: pullSecretRecordId(plan),
        name: 'acr-auth',
        uid: 'uid-1',
        ...(dataFingerprint ? { dataFingerprint } : {}),
        recordedAt: '2025-04-01T09:00:00.000Z',
      },
    ],
  });
const extension = pendingRequest({ id: 'R-NEXT2222', plan, extendsRequestId: 'R-PREV2345' });
/** The secret in the cluster: the object acrbot wrote (uid-1), holding `data`, labelled `label` (null: none). */
const found = (data: string, label: string | null = 'R-PREV2345'): ExistingSecret => ({
  ...(label !== null ? { requestIdLabel: label } : {}),
  managedBy: 'acrbot',
  writers: ['kubectl-client-side-apply'],
  uid: 'uid-1',
  dataFingerprint: secretDataFingerprint({ '.dockerconfigjson': base64(data) }),
});

describe('the fingerprint', () => {
  test('is a hash of every key and its bytes, never the data; the same bytes hash alike', () => {
    const fingerprint = dockerConfigFingerprint(OURS);
    expect(fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fingerprint).not.toContain('s3cr3t');
    expect(secretDataFingerprint({ '.dockerconfigjson': base64(OURS) })).toBe(fingerprint);
    expect(dockerConfigFingerprint(THEIRS)).not.toBe(fingerprint);
    // Another key beside acrbot's is other data too.
    expect(secretDataFingerprint({ '.dockerconfigjson': base64(OURS), extra: 'eA==' })).not.toBe(fingerprint);
    expect(secretDataFingerprint(undefined)).toBeUndefined();
  });

  test('is kept in the started-write record and read back from the written one', () => {
    const record = writeStartedRecord(plan, undefined, [], undefined, 'sha256:abc');
    expect(record).toMatchObject({ kind: 'pullSecretWriteStarted', dataFingerprint: 'sha256:abc' });
    expect(writtenSecretFingerprint(writer('sha256:abc'))).toBe('sha256:abc');
    expect(writtenSecretFingerprint(writer())).toBeUndefined();
  });
});

describe('decideReplacement with the data acrbot recorded writing', () => {
  test('the object acrbot wrote, still holding its data: replaced', () => {
    expect(decideReplacement(extension, found(OURS), writer(dockerConfigFingerprint(OURS)))).toMatchObject({
      replace: true,
      previous: { id: 'R-PREV2345' },
    });
  });

  test('the object acrbot wrote with the data taken over (same uid, acrbot’s label kept): refused, saying so', () => {
    const decision = decideReplacement(extension, found(THEIRS), writer(dockerConfigFingerprint(OURS)));
    expect(decision).toMatchObject({ replace: false, code: 'kubernetes.foreignSecret' });
    expect(decision.replace === false && decision.reason).toMatch(
      /its label names request R-PREV2345, but its contents were replaced by someone else since acrbot wrote it for R-PREV2345 .*last written by kubectl-client-side-apply/,
    );
  });

  test('a writer recorded before fingerprints were kept: by the uid, as before', () => {
    expect(decideReplacement(extension, found(THEIRS), writer())).toMatchObject({ replace: true });
  });
});

describe('decideReplacement when the label was taken off or changed (a policy engine)', () => {
  test('acrbot’s records of the access’s writer prove it by uid and data: replaced', () => {
    const records = writer(dockerConfigFingerprint(OURS));
    // Without the records, "no record of making it", as before.
    expect(decideReplacement(extension, found(OURS, null), undefined)).toMatchObject({
      replace: false,
      reason: expect.stringMatching(/acrbot has no record of making it/),
    });
    expect(decideReplacement(extension, found(OURS, null), undefined, records)).toMatchObject({
      replace: true,
      previous: { id: 'R-PREV2345' },
    });
    // A label naming a request acrbot has no record of: the data still proves it.
    expect(decideReplacement(extension, found(OURS, 'R-ZZZZZZZZ'), undefined, records)).toMatchObject({
      replace: true,
    });
  });

  test('the writer’s object with someone else’s data: refused with the true reason', () => {
    const decision = decideReplacement(
      extension,
      found(THEIRS, null),
      undefined,
      writer(dockerConfigFingerprint(OURS)),
    );
    expect(decision.replace === false && decision.reason).toMatch(
      /it is the object acrbot wrote for request R-PREV2345, but its contents were replaced by someone else/,
    );
  });

  test('another object, or a writer for another target, vouches for nothing', () => {
    const other = { ...found(OURS, null), uid: 'uid-2' };
    expect(decideReplacement(extension, other, undefined, writer(dockerConfigFingerprint(OURS)))).toMatchObject({
      replace: false,
      reason: expect.stringMatching(/no record of making it/),
    });
    const elsewhere = { ...writer(dockerConfigFingerprint(OURS)), plan: { ...plan, secretName: 'other' } };
    expect(decideReplacement(extension, found(OURS, null), undefined, elsewhere)).toMatchObject({
      replace: false,
    });
  });

  test('a writer recorded before fingerprints: its uid when the label is gone, not when it names someone else', () => {
    expect(decideReplacement(extension, found(THEIRS, null), undefined, writer())).toMatchObject({
      replace: true,
    });
    expect(decideReplacement(extension, found(THEIRS, 'R-ZZZZZZZZ'), undefined, writer())).toMatchObject({
      replace: false,
    });
  });
});

describe('a run resumed after its own write landed', () => {
  const started = (dataFingerprint?: string): CreatedObject => ({
    kind: 'pullSecretWriteStarted',
    id: pullSecretRecordId(plan),
    ...(dataFingerprint ? { dataFingerprint } : {}),
    recordedAt: '2025-04-01T09:00:00.000Z',
  });
  const resumed = (...created: CreatedObject[]) => pendingRequest({ id: 'R-NEXT2222', plan, created });

  test('finds exactly what it was about to write: its own write, whatever the label says', () => {
    const request = resumed(started(dockerConfigFingerprint(OURS)));
    expect(startedWriteFingerprints(request)).toEqual({
      fingerprints: [dockerConfigFingerprint(OURS)],
      complete: true,
    });
    expect(decideReplacement(request, found(OURS, null), undefined)).toEqual({ replace: true, ownWrite: true });
    expect(decideReplacement(request, found(OURS, 'R-NEXT2222'), undefined)).toEqual({
      replace: true,
      ownWrite: true,
    });
  });

  test('its own label over someone else’s data: refused', () => {
    const decision = decideReplacement(
      resumed(started(dockerConfigFingerprint(OURS))),
      found(THEIRS, 'R-NEXT2222'),
      undefined,
    );
    expect(decision.replace === false && decision.reason).toMatch(
      /its label names this request, but its contents were replaced by someone else since acrbot wrote it for R-NEXT2222/,
    );
  });

  test('a started write recorded before fingerprints: its label and record, as before', () => {
    const request = resumed(started(dockerConfigFingerprint(OURS)), started());
    expect(startedWriteFingerprints(request).complete).toBe(false);
    expect(decideReplacement(request, found(THEIRS, 'R-NEXT2222'), undefined)).toEqual({
      replace: true,
      ownWrite: true,
    });
  });
});
