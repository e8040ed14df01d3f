/**
 * Whom a new request's mention names (ApproverAuthority.enabledNamesAmong, `reused`) comes from
 * the read its making kept (approverReachIfRead, approver-groups-cache.ts), asked of the one
 * instance the request service and the composition root share (RequestService.approvers); while the
 * questions that decide (enabledAmong, accountStandingNow) and a nudge's read (enabledNamesAmong
 * without `reused`) ask the directory every time (G5).
 */
import type { DirectoryPort, EnabledUser } from '../../src/domain/ports';
import { ApproverAuthority } from '../../src/flows/approver-authority';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE } from './support/fake-clock';
import { fakeDirectory } from './support/fake-directory';
import { policy, rule, SAM, settings } from './support/policy-fixtures';
import { APPROVER, REQUESTER } from './support/requests';

const log = createLogger({ level: 'silent' });
const theRule = rule('prod', { approvers: { users: [APPROVER.objectId, SAM.objectId], groups: [] } });

/** A directory with Alex and Sam enabled and named, counting every read of accounts. */
function countingDirectory() {
  const enabled = new Map<string, EnabledUser>([
    [APPROVER.objectId, { id: APPROVER.objectId, displayName: 'Alex Approver' }],
    [SAM.objectId, { id: SAM.objectId, displayName: 'Megan Developer' }],
  ]);
  const reads: string[] = [];
  const directory: DirectoryPort = {
    ...fakeDirectory(),
    enabledUserIds: async (ids) => {
      reads.push('ids');
      return ids.filter((id) => enabled.has(id.toLowerCase()));
    },
    enabledUsers: async (ids) => {
      reads.push('names');
      return ids.flatMap((id) => enabled.get(id.toLowerCase()) ?? []);
    },
  };
  return { directory, enabled, reads };
}

function setup() {
  const { directory, enabled, reads } = countingDirectory();
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const approvers = new ApproverAuthority(directory, clock, settings, log, { current: () => policy([theRule]) });
  // The request service's, which the composition root's mentions ask too (RequestService.approvers).
  return { requests: approvers, mentions: approvers, enabled, reads, clock };
}

test("a new request's mention is answered from the read its making kept: no second read", async () => {
  const t = setup();
  const reach = await t.requests.approverReachIfRead(theRule, REQUESTER);
  expect(reach.rule.approvers.users).toEqual([APPROVER.objectId, SAM.objectId]);
  expect(t.reads).toEqual(['names']);
  const named = await t.mentions.enabledNamesAmong([SAM.objectId, APPROVER.objectId], { reused: true });
  expect([...named]).toEqual([
    [APPROVER.objectId, 'Alex Approver'],
    [SAM.objectId, 'Megan Developer'],
  ]);
  expect(t.reads).toEqual(['names']);
  // Five minutes on, it is read again (and kept).
  t.clock.advance(5 * MINUTE);
  await t.mentions.enabledNamesAmong([APPROVER.objectId, SAM.objectId], { reused: true });
  expect(t.reads).toEqual(['names', 'names']);
});

test('decisions and nudges read fresh, whatever was kept a moment ago', async () => {
  const t = setup();
  await t.requests.approverReachIfRead(theRule, REQUESTER);
  t.enabled.delete(APPROVER.objectId);
  // A nudge's read: Alex, disabled since, is not among those who can sign in.
  expect([...(await t.mentions.enabledNamesAmong([APPROVER.objectId, SAM.objectId])).keys()]).toEqual([SAM.objectId]);
  // A click's: Alex decides nothing.
  expect(await t.requests.enabledAmong([APPROVER, SAM])).toEqual(new Set([SAM.objectId]));
  expect(await t.requests.accountStandingNow(APPROVER, 'R-1', { failOpen: true })).toBe('disabled');
  expect(t.reads).toEqual(['names', 'names', 'ids', 'ids']);
  // The mention, within the five minutes, still names him: it decides nothing.
  expect([...(await t.mentions.enabledNamesAmong([APPROVER.objectId, SAM.objectId], { reused: true })).keys()]).toEqual(
    [APPROVER.objectId, SAM.objectId],
  );
  expect(t.reads).toHaveLength(4);
});
