/**
 * The lines of a secret extension's (rotation's) plan card name the credential the run retires:
 * the one the secret holds now, found in acrbot's records as the runner finds it (the last writer
 * of the original and the extensions that moved its end). When the records cannot say (writes
 * recorded before secret uids were kept, an extension's among them) the card does not guess.
 */
import type { AccessRequest } from '../../src/domain/request';
import { pullSecretRecordId } from '../../src/domain/secret-ownership';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { quietLifecycle } from './support/access-lifecycle';
import { FakeClock } from './support/fake-clock';
import { pendingRequest, secretPlan } from './support/requests';

const plan = secretPlan();

/** A succeeded secret request; `writtenAt`: when its write of the secret was recorded, with a uid. */
function secretRequest(id: string, extra: Partial<AccessRequest>, writtenAt?: string): AccessRequest {
  return pendingRequest({
    id,
    state: 'succeeded',
    plan,
    created: writtenAt
      ? [{ kind: 'pullSecret', id: pullSecretRecordId(plan), uid: 'uid-1', recordedAt: writtenAt }]
      : [],
    ...extra,
  });
}

async function deleteLine(original: AccessRequest, others: AccessRequest[]): Promise<string | undefined> {
  const store = new MemoryRequestStore();
  for (const r of [original, ...others]) await store.create(r);
  const lifecycle = quietLifecycle(new FakeClock('2026-11-30T10:00:00Z'), { store });
  return (await lifecycle.rotationPlan(original, 3_600_000)).operations.find((l) => l.startsWith('Delete'));
}

describe('rotationPlan: the credential it deletes', () => {
  test('after an earlier rotation: the earlier extension’s, which the secret holds now, not the original’s', async () => {
    const original = secretRequest(
      'R-AAAAAAAA',
      { access: { durationMs: 1, extendedBy: ['R-BBBBBBBB'] } },
      '2026-11-01T10:00:00.000Z',
    );
    const first = secretRequest('R-BBBBBBBB', { extendsRequestId: original.id }, '2026-11-20T10:00:00.000Z');
    expect(await deleteLine(original, [first])).toBe('Delete the credential of R-BBBBBBBB, which the secret holds now');
  });

  test('no rotation yet: the original’s, also when its write was recorded before secret uids were kept', async () => {
    const original = secretRequest('R-AAAAAAAA', {});
    expect(await deleteLine(original, [])).toBe('Delete the credential of R-AAAAAAAA, which the secret holds now');
  });

  test('two writes in the same millisecond: the one whose write recorded replacing the other’s; else not guessed', async () => {
    const at = '2026-11-20T10:00:00.000Z';
    const original = secretRequest('R-AAAAAAAA', { access: { durationMs: 1, extendedBy: ['R-BBBBBBBB'] } }, at);
    const first = secretRequest('R-BBBBBBBB', { extendsRequestId: original.id }, at);
    const replacing = {
      ...first,
      created: [
        {
          kind: 'pullSecretWriteStarted' as const,
          id: pullSecretRecordId(plan),
          recordedAt: at,
          replaces: { requestId: original.id, serviceAccounts: [] },
        },
        ...first.created!,
      ],
    };
    expect(await deleteLine(original, [replacing])).toBe(
      'Delete the credential of R-BBBBBBBB, which the secret holds now',
    );
    expect(await deleteLine(original, [first])).toBe('Delete the credential the secret holds now');
  });

  test('an extension’s write recorded before secret uids were kept: the card does not guess whose', async () => {
    const original = secretRequest('R-AAAAAAAA', { access: { durationMs: 1, extendedBy: ['R-BBBBBBBB'] } });
    const first = secretRequest('R-BBBBBBBB', { extendsRequestId: original.id });
    expect(await deleteLine(original, [first])).toBe('Delete the credential the secret holds now');
  });
});
