/**
 * The refusal of an extension of a drifted grant, and its reminder's note, say what happened by
 * the drift's reason: an assignment removed or changed, or one still there that no longer
 * serves (the cluster pulls as another identity; the registry's mode ignores the role). Never
 * "removed" for an assignment that is still there.
 */
import { driftedExtensionRefusal, driftedReminderNote } from '../../src/domain/drifted-access';
import type { AccessRequest } from '../../src/domain/request';
import { APPROVER, pendingRequest } from './support/requests';

const granted: AccessRequest = pendingRequest({
  state: 'succeeded',
  decision: { by: APPROVER, at: '2025-01-14T10:00:00.000Z', approved: true },
  access: { durationMs: 30 * 86_400_000, expiresAt: '2025-02-13T10:00:00.000Z' },
});
const drifted = (driftReason?: 'deleted' | 'changed' | 'identityChanged' | 'modeChanged'): AccessRequest => ({
  ...granted,
  access: { ...granted.access!, driftDetectedAt: '2025-02-10T08:00:00.000Z', ...(driftReason && { driftReason }) },
});

describe('a drifted grant is not extended, in the words of its reason', () => {
  test.each([
    [undefined, /was removed or changed outside acrbot .*acrbot does not re-create it/],
    ['deleted' as const, /was removed or changed outside acrbot .*acrbot does not re-create it/],
    [
      'identityChanged' as const,
      /is still there, but aks-prod pulls as another identity now .*does not grant the new identity/,
    ],
    [
      'modeChanged' as const,
      /is still there, but contosoacr's role assignment mode changed .*does not assign the role the new mode honours/,
    ],
  ])('%s', (reason, words) => {
    const request = drifted(reason);
    expect(driftedExtensionRefusal(request)?.message).toMatch(words);
    expect(driftedReminderNote(request)).toMatch(words);
    if (reason === 'identityChanged' || reason === 'modeChanged')
      expect(driftedReminderNote(request)).not.toMatch(/removed/);
  });

  test('a grant that did not drift is neither refused nor noted', () => {
    expect(driftedExtensionRefusal(granted)).toBeUndefined();
    expect(driftedReminderNote(granted)).toBeUndefined();
  });
});
