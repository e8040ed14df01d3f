/**
 * Golden files (see ./support/golden.ts) for the pause of new access amended and lifted: the
 * answer to `pause NEW REASON` while paused (with both reasons, the old one's link made inert,
 * and without them where requesters read), and the message to someone refused during the pause
 * once it is lifted (the command they typed, neutralised). Fixed ids, names and times.
 */
import { pausedCard, reopenedCard } from '../../src/views/pause-view';
import { expectGolden } from './support/golden';
import { APPROVER } from './support/requests';

const amended = {
  since: '2025-01-15T09:00:00.000Z',
  by: { objectId: APPROVER.objectId, name: APPROVER.name },
  reason: 'unexpected grants on prod, investigating',
  amended: {
    by: { objectId: '0a000000-0000-4000-8000-00000000ddd4', name: 'Megan Developer' },
    at: '2025-01-15T09:12:00.000Z',
  },
};
const result = {
  applied: false,
  pause: amended,
  amendedFrom: 'unexpected grnats, see [runbook](https://evil.example/x)',
};

test('pause-amended', () => {
  expectGolden('pause-amended', pausedCard(result, true, true));
});

test('pause-amended-in-a-requesters-channel', () => {
  expectGolden('pause-amended-in-a-requesters-channel', pausedCard(result, false, true));
});

test('pause-reopened', () => {
  expectGolden(
    'pause-reopened',
    reopenedCard('@acrbot grant aks-prod contosoacr --for 1d see https://evil.example/x', false),
  );
});

test('pause-reopened-no-command', () => {
  expectGolden('pause-reopened-no-command', reopenedCard(undefined, false));
});
