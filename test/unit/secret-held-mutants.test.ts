/**
 * Edges of "the requester already holds this secret": which replaced access counts as held
 * (flows/secret-held-access.ts `heldAccessOf`) and when the card says so (views/secret-held-note.ts),
 * each pinned where a mutation test found it unchecked.
 */
import type { AccessRequest, PolicyBinding } from '../../src/domain/request';
import { heldAccessOf } from '../../src/flows/secret-held-access';
import { heldSecretNote } from '../../src/views/secret-held-note';
import { DAY } from './support/policy-fixtures';
import { HOUR } from './support/fake-clock';
import { pendingRequest, REQUESTER, secretPlan } from './support/requests';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const later = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

/** The requester's live pull secret: its term ends in 2 days, its credential (the plan's expiry) at `credentialEnds`. */
function live(credentialEnds = later(10 * DAY), extra: Partial<AccessRequest> = {}): AccessRequest {
  return pendingRequest({
    id: 'R-HELD0001',
    state: 'succeeded',
    plan: secretPlan({ expiresAt: credentialEnds }),
    access: { durationMs: 7 * DAY, expiresAt: later(2 * DAY) },
    ...extra,
  });
}

describe('heldAccessOf at its edges', () => {
  test('held until its term ends when the credential lasts longer', () => {
    expect(heldAccessOf(live(), [], NOW)).toEqual({
      requestId: 'R-HELD0001',
      requesterObjectId: REQUESTER.objectId,
      until: later(2 * DAY),
    });
  });

  test('held until its credential ends when that comes first', () => {
    expect(heldAccessOf(live(later(DAY)), [], NOW)?.until).toBe(later(DAY));
  });

  test('a credential that has expired (now, or an hour ago) holds nothing, though the term runs on', () => {
    expect(heldAccessOf(live(later(-HOUR)), [], NOW)).toBeUndefined();
    expect(heldAccessOf(live(NOW.toISOString()), [], NOW)).toBeUndefined();
  });

  test('break-glass access is not held for extend: extend refuses it', () => {
    const policy = { breakGlass: true } as unknown as PolicyBinding;
    expect(heldAccessOf(live(undefined, { policy }), [], NOW)).toBeUndefined();
  });

  test('drifted access is not held for extend: extend refuses it', () => {
    const drifted = live();
    drifted.access = { ...drifted.access!, driftDetectedAt: later(-HOUR) };
    expect(heldAccessOf(drifted, [], NOW)).toBeUndefined();
  });
  test('access granted before acrbot gave access an end is not held for extend, though its credential has an expiry', () => {
    expect(heldAccessOf(live(undefined, { access: undefined }), [], NOW)).toBeUndefined();
  });

  test("an extension's write is held through its original, found by id among the pair's succeeded requests", () => {
    const other = live(undefined, { id: 'R-OTHER001' });
    const original = live(undefined, { id: 'R-ORIGINAL1' });
    const extension = live(undefined, { id: 'R-EXTEND01', extendsRequestId: 'R-ORIGINAL1' });
    expect(heldAccessOf(extension, [other, original, extension], NOW)?.requestId).toBe('R-ORIGINAL1');
  });
});

describe('heldSecretNote at its edges', () => {
  const held = { requestId: 'R-HELD0001', requesterObjectId: REQUESTER.objectId, until: later(2 * DAY) };
  const asking = (extra: Partial<AccessRequest> = {}) =>
    pendingRequest({ plan: secretPlan({ replacesHeld: held }), access: { durationMs: 7 * DAY }, ...extra });

  test('said to the requester whose object id Teams cased otherwise', () => {
    const note = heldSecretNote(asking({ requester: { ...REQUESTER, objectId: REQUESTER.objectId.toUpperCase() } }));
    expect(note).toContain('The requester already holds this secret through R-HELD0001');
  });

  test("not said on an extension, whose plan is a copy of its original's", () => {
    expect(heldSecretNote(asking())).toBeDefined();
    expect(heldSecretNote(asking({ extendsRequestId: 'R-ORIGINAL1' }))).toBeUndefined();
  });

  test('a permanent request names no term for extend', () => {
    const note = heldSecretNote(asking({ access: { durationMs: 7 * DAY, permanent: true } }))!;
    expect(note).toContain('"@acrbot extend R-HELD0001 REASON…"');
    expect(note).not.toContain('--for');
  });
});
