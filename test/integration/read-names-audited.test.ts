/**
 * A name refused by a read command is audited (G10 "rejection plus audit validation.failed",
 * G11 "every refusal"), as the same name in a request is: `check`, `policy` and `access` with a
 * cluster or registry name that breaks the rules of names. A valid name that is not found is no
 * refusal of the user's input and leaves no entry.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import type { TeamsUser } from '../helpers/teams-activities';
import { startHarness, users, type Harness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  // More reads than the default limit are made here by one person; this file is about names.
  h = await startHarness({ ACRBOT_READS_PER_10_MINUTES: '1000' });
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

/** The entries `user` caused after `seq`. */
async function entriesAfter(user: TeamsUser, seq: number): Promise<AuditEntry[]> {
  return (await h.app.audit.latest(100)).filter((e) => e.seq > seq && e.actor.objectId === user.objectId);
}

async function lastSeq(): Promise<number> {
  return (await h.app.audit.latest(1))[0]?.seq ?? 0;
}

describe('G10/G11: an invalid name in a read command is audited as validation.failed', () => {
  test.each([
    ['requester', 'check aks#prod contosoacr', /is not a valid cluster/],
    ['requester', 'check aks-prod ab', /is not a valid registry name/],
    ['requester', 'policy aks#prod contosoacr', /is not a valid cluster/],
    ['requester', 'policy aks-prod contoso/../acr', /is not a valid registry name/],
    ['approver', 'access aks#prod', /is not a valid/],
    ['approver', 'access registry ab', /is not a valid registry name/],
  ] as const)('the %s types %j', async (who, command, answer) => {
    const user = users[who];
    const seq = await lastSeq();
    expect(await h.ask(user, command)).toMatch(answer);
    const entries = await entriesAfter(user, seq);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: 'validation.failed', outcome: 'validation.name' });
  });

  test('a valid name that is not found is answered, not audited', async () => {
    const seq = await lastSeq();
    expect(await h.ask(users.requester, 'check aks-nowhere contosoacr')).toMatch(/not found|No cluster|was not found/i);
    expect(await entriesAfter(users.requester, seq)).toEqual([]);
  });
});
