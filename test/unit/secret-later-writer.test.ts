/**
 * G15/G17: which acrbot request holds a pull secret now, from acrbot's own records only. A
 * replacement is a PUT that keeps the Kubernetes uid, so the uid alone cannot say whose it is.
 */
import type { AccessRequest, RequestState } from '../../src/domain/request';
import { laterWriterOf, pullSecretRecordId } from '../../src/domain/secret-ownership';
import { pendingRequest, secretPlan } from './support/requests';

const plan = secretPlan();

function wrote(
  id: string,
  uid: string,
  at: string,
  extra: { state?: RequestState; extendsRequestId?: string; plan?: AccessRequest['plan'] } = {},
): AccessRequest {
  const p = extra.plan ?? plan;
  return pendingRequest({
    id,
    state: extra.state ?? 'succeeded',
    plan: p,
    ...(extra.extendsRequestId ? { extendsRequestId: extra.extendsRequestId } : {}),
    created: [
      {
        kind: 'pullSecret',
        id: p.kind === 'secret' ? pullSecretRecordId(p) : 'x',
        name: 'acr-auth',
        uid,
        recordedAt: at,
      },
    ],
  });
}

describe('laterWriterOf', () => {
  const a = wrote('R-AAAAAAAA', 'uid-1', '2025-01-15T10:00:00.000Z');

  test('a later request that wrote the same object holds it', () => {
    const b = wrote('R-BBBBBBBB', 'uid-1', '2025-01-15T10:05:00.000Z');
    expect(laterWriterOf(a, [a, b])?.id).toBe(b.id);
  });

  test('an earlier writer does not: the one ending wrote last', () => {
    const b = wrote('R-BBBBBBBB', 'uid-1', '2025-01-15T09:55:00.000Z');
    expect(laterWriterOf(a, [a, b])).toBeUndefined();
  });

  test('the same instant is ordered the same from either side: exactly one holds it (by request id)', () => {
    const b = wrote('R-BBBBBBBB', 'uid-1', a.created![0]!.recordedAt);
    expect(laterWriterOf(a, [a, b])?.id).toBe(b.id);
    expect(laterWriterOf(b, [a, b])).toBeUndefined();
  });

  test('at the same instant, the request whose started write recorded replacing the other came later', () => {
    // The replacing request has the smaller id: the id alone would take it for the earlier one.
    const replacing = wrote('R-00000000', 'uid-1', a.created![0]!.recordedAt);
    replacing.created!.unshift({
      kind: 'pullSecretWriteStarted',
      id: pullSecretRecordId(plan),
      name: 'acr-auth',
      replaces: { requestId: a.id, serviceAccounts: [] },
      recordedAt: a.created![0]!.recordedAt,
    });
    expect(laterWriterOf(a, [a, replacing])?.id).toBe(replacing.id);
    expect(laterWriterOf(replacing, [a, replacing])).toBeUndefined();
  });

  test('another object under the same name, or another secret, is not held by it', () => {
    const other = wrote('R-BBBBBBBB', 'uid-2', '2025-01-15T10:05:00.000Z');
    const elsewhere = wrote('R-CCCCCCCC', 'uid-1', '2025-01-15T10:05:00.000Z', {
      plan: secretPlan({ secretName: 'other' }),
    });
    expect(laterWriterOf(a, [a, other, elsewhere])).toBeUndefined();
  });

  test.each<RequestState>(['revoked', 'failed', 'approved'])('state %s: holds nothing', (state) => {
    const b = wrote('R-BBBBBBBB', 'uid-1', '2025-01-15T10:05:00.000Z', { state });
    expect(laterWriterOf(a, [a, b])).toBeUndefined();
  });

  test('an executing request that already wrote it holds it', () => {
    const b = wrote('R-BBBBBBBB', 'uid-1', '2025-01-15T10:05:00.000Z', { state: 'executing' });
    expect(laterWriterOf(a, [a, b])?.id).toBe(b.id);
  });

  test('the request an extension extends never holds it for the extension, even at the same instant', () => {
    const e = wrote('R-EEEEEEEE', 'uid-1', a.created![0]!.recordedAt, { extendsRequestId: a.id });
    expect(laterWriterOf(e, [a, e])).toBeUndefined();
    expect(laterWriterOf(a, [a, e])?.id).toBe(e.id);
  });

  test('requests ending together are ignored', () => {
    const e = wrote('R-EEEEEEEE', 'uid-1', '2025-01-15T10:05:00.000Z', { extendsRequestId: a.id });
    expect(laterWriterOf(a, [a, e], new Set([e.id]))).toBeUndefined();
  });

  test('a request with no uid recorded has no later writer (the labels decide, more carefully)', () => {
    const legacy = pendingRequest({ id: 'R-LLLLLLLL', state: 'succeeded', plan, created: [] });
    const b = wrote('R-BBBBBBBB', 'uid-1', '2025-01-15T10:05:00.000Z');
    expect(laterWriterOf(legacy, [legacy, b])).toBeUndefined();
  });
});
