/**
 * Why a grouped expiry reminder lists at most MAX_GROUPED_REMINDERS rows (reminder-siblings.ts):
 * not Teams' 6 actions (each row's Extend has an action set of its own), but a card's size and a
 * phone's screen. At the cap, rows with the longest names Azure and Kubernetes allow (a drifted
 * grant's note quotes both resource ids; a credential row names a 253-character secret) still
 * make a card well under Teams' message limit of about 28 KB.
 */
import type { AccessRequest } from '../../src/domain/request';
import { MAX_GROUPED_REMINDERS } from '../../src/flows/reminder-siblings';
import { groupedReminderCard, type GroupedReminderRow } from '../../src/views/grouped-reminder-view';
import { APPROVER, grantPlan, pendingRequest, secretPlan } from './support/requests';

const DAY_MS = 86_400_000;
const ENDS = '2025-02-13T10:00:00.000Z';
const TEAMS_MESSAGE_LIMIT = 28 * 1024;

const g = grantPlan();
/** The longest names: a cluster's 63 characters, a registry's 50, resource groups' 90. */
const longest = {
  ...g,
  cluster: { ...g.cluster, name: 'c'.repeat(63), resourceGroup: 'r'.repeat(90) },
  registry: {
    ...g.registry,
    name: 'a'.repeat(50),
    resourceGroup: 'g'.repeat(90),
    loginServer: `${'a'.repeat(50)}.azurecr.io`,
  },
};
const granted: AccessRequest = pendingRequest({
  state: 'succeeded',
  version: 4,
  plan: longest,
  decision: { by: APPROVER, at: '2025-01-14T10:00:00.000Z', approved: true },
  access: { durationMs: 30 * DAY_MS, expiresAt: ENDS },
});

function row(request: AccessRequest, i: number, credential = false): GroupedReminderRow {
  return { request: { ...request, id: `R-AAAAAA${i}A` }, inMs: DAY_MS, at: ENDS, credential, offeredMs: 30 * DAY_MS };
}

const drifted: AccessRequest = {
  ...granted,
  access: { ...granted.access!, driftDetectedAt: '2025-01-20T08:00:00.000Z', driftReason: 'deleted' },
};
const credential: AccessRequest = {
  ...granted,
  plan: secretPlan({
    cluster: { ...longest.cluster, aadEnabled: false },
    registry: longest.registry,
    namespace: 'n'.repeat(63),
    secretName: 's'.repeat(253),
    serviceAccount: 'v'.repeat(253),
  }),
};

test.each([
  ['drifted grants (the longest note)', drifted, false],
  ['pull secret credentials', credential, true],
  ['grants each with its Extend', granted, false],
] as const)('at its cap, a grouped card of %s with the longest names is well under 28 KB', (_name, request, cred) => {
  const rows = Array.from({ length: MAX_GROUPED_REMINDERS }, (_, i) => row(request, i, cred));
  const bytes = Buffer.byteLength(JSON.stringify(groupedReminderCard(rows, 99)));
  expect(bytes).toBeLessThan(TEAMS_MESSAGE_LIMIT / 2);
});
