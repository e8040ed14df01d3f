/**
 * lastFamilyWriter: which request of an access the secret's credential belongs to now, the one
 * answer the rotation card and the run share. Two writes in the same millisecond are ordered by
 * the write that recorded replacing the other's, from whichever side they are listed; nothing
 * else guesses.
 */
import type { AccessRequest } from '../../src/domain/request';
import { lastFamilyWriter, wroteSecretBefore } from '../../src/domain/secret-holder';
import { pullSecretRecordId } from '../../src/domain/secret-ownership';
import { pendingRequest, secretPlan } from './support/requests';

const plan = secretPlan();
const at = '2026-11-20T10:00:00.000Z';

/** The store record of a write of the secret at `recordedAt`, with the secret's uid. */
const wrote = (recordedAt: string) => [
  { kind: 'pullSecret' as const, id: pullSecretRecordId(plan), uid: 'uid-1', recordedAt },
];

/** A succeeded secret request: `writtenAt` when its write was recorded with a uid, else none with one. */
const writer = (id: string, writtenAt?: string, extra: Partial<AccessRequest> = {}): AccessRequest =>
  pendingRequest({ id, state: 'succeeded', plan, created: writtenAt ? wrote(writtenAt) : [], ...extra });

/** `r`, its write recorded as replacing `replacedId`'s. */
function replacing(r: AccessRequest, replacedId: string): AccessRequest {
  return {
    ...r,
    created: [
      {
        kind: 'pullSecretWriteStarted',
        id: pullSecretRecordId(plan),
        recordedAt: at,
        replaces: { requestId: replacedId, serviceAccounts: [] },
      },
      ...r.created!,
    ],
  };
}

const original = writer('R-AAAAAAAA', at, { access: { durationMs: 1, extendedBy: ['R-BBBBBBBB'] } });
const extension = writer('R-BBBBBBBB', at, { extendsRequestId: 'R-AAAAAAAA' });

describe('lastFamilyWriter', () => {
  test('the later write holds the secret', () => {
    const later = writer('R-BBBBBBBB', '2026-11-21T10:00:00.000Z', { extendsRequestId: original.id });
    expect(lastFamilyWriter(original, [later], plan)?.id).toBe(later.id);
  });

  test('the same millisecond: the write that recorded replacing the other’s, not the first listed', () => {
    expect(lastFamilyWriter(original, [replacing(extension, original.id)], plan)?.id).toBe(extension.id);
    const rewritten = replacing(original, extension.id);
    expect(lastFamilyWriter(rewritten, [extension], plan)?.id).toBe(original.id);
  });

  test('the same millisecond, neither recorded replacing the other: not guessed', () => {
    expect(lastFamilyWriter(original, [extension], plan)).toBeUndefined();
    expect(wroteSecretBefore(original, extension)).toBeUndefined();
  });

  test('an original recorded before uids, alone: its credential; beside an extension recorded so: not guessed', () => {
    const legacy = writer('R-AAAAAAAA');
    expect(lastFamilyWriter(legacy, [], plan)?.id).toBe(legacy.id);
    expect(lastFamilyWriter(legacy, [writer('R-BBBBBBBB', undefined, { extendsRequestId: legacy.id })], plan)).toBe(
      undefined,
    );
  });

  test('only requests that still hold the access and wrote that secret count', () => {
    const ended = { ...writer('R-BBBBBBBB', '2026-11-21T10:00:00.000Z'), state: 'revoked' as const };
    const elsewhere = writer('R-CCCCCCCC', '2026-11-22T10:00:00.000Z', { plan: { ...plan, secretName: 'other' } });
    expect(lastFamilyWriter(original, [ended, elsewhere], plan)?.id).toBe(original.id);
  });
});
