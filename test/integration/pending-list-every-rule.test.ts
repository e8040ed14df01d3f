/**
 * Chat's `pending` narrows every pending request to the caller's before it cuts anything: the
 * approver of a narrow rule gets their request listed when more than 50 older ones of another
 * rule wait (the oldest 50 of every rule were read, then filtered: "Nothing pending"), and the
 * count line counts them all. Past the read's bound (WAITING_SCAN_LIMIT) the answer says that
 * only the oldest were read, not "Nothing pending".
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessRequest } from '../../src/domain/request';
import { WAITING_SCAN_LIMIT } from '../../src/flows/waiting-for-approvers';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';

const sam = SANDBOX_USERS.secondApprover as TeamsUser;
const olive = SANDBOX_USERS.oncall as TeamsUser;

/** Rule legacy (Sam approves) fits aks-legacy only; every other request is rule main's (Alex). */
const POLICY = `version: 1
rules:
  - id: legacy
    match: { cluster: "aks-legacy" }
    approvers: { users: ["${sam.objectId}"] }
  - id: main
    match: {}
    approvers: { users: ["${users.approver.objectId}"] }
`;

const ID_LETTERS = '23456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * `count` pending requests of Olive's copied from `template` (its rule, main), each an hour or
 * more older than any request made in the test, stored directly (her pending cap is not the point).
 */
async function olderOf(h: Harness, template: AccessRequest, count: number): Promise<void> {
  const start = Date.parse(template.createdAt) - 3_600_000 - count * 1000;
  for (let i = 0; i < count; i++) {
    const at = new Date(start + i * 1000).toISOString();
    const id = `R-${[3, 2, 1, 0].map((k) => ID_LETTERS[Math.floor(i / ID_LETTERS.length ** k) % ID_LETTERS.length]).join('')}AAAA`;
    await h.app.store.create({
      ...template,
      id,
      version: 1,
      requester: { objectId: olive.objectId, name: olive.name },
      createdAt: at,
      updatedAt: at,
    });
  }
}

describe('pending lists what waits for the caller among every pending request, not among the oldest 50', () => {
  let h: Harness;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'acrbot-pending-every-rule-'));
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await h?.stop();
  });

  test("the approver of a narrow rule gets theirs though 60 older ones of another rule wait; the other's count is true", async () => {
    h = await startHarness({ ACRBOT_POLICY: join(dir, 'policy.yaml') });
    const main = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const legacy = await h.requestGrant(users.requester, 'aks-legacy contosoacr legacy batch jobs');
    expect([main.policy?.ruleId, legacy.policy?.ruleId]).toEqual(['main', 'legacy']);
    await olderOf(h, main, 60);

    const before = h.connector.calls.length;
    expect(await h.turnReplies(sam, 'pending', 'personal')).toMatch(/^1 request waiting for approval:/);
    await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && c.op !== 'update' && cardText(c.activity).includes(legacy.id),
      5000,
      "the legacy request's approvers' copy",
    );
    // Alex's are all 61 of rule main, counted whole; the cards are the oldest 20.
    expect(await h.turnReplies(users.approver, 'pending', 'personal')).toMatch(
      /^61 requests waiting for approval; the first 20 are shown/,
    );
  });

  test('the 20 cards shown lead with the requests whose time to decide runs out first, however new', async () => {
    h = await startHarness({ ACRBOT_POLICY: join(dir, 'policy.yaml') });
    const main = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await olderOf(h, main, 25);
    // Made last, decided within 90 minutes (as an extension's wait cut to its grant's end is):
    // in creation order it was the 27th of 27, past the 20 cards shown.
    const made = new Date(Date.parse(main.createdAt) + 1000).toISOString();
    const soonest = {
      ...main,
      id: 'R-ZZZZNEWX',
      version: 1,
      createdAt: made,
      updatedAt: made,
      expiresAt: new Date(Date.parse(main.createdAt) + 90 * 60_000).toISOString(),
    };
    await h.app.store.create(soonest);

    const before = h.connector.calls.length;
    expect(await h.turnReplies(users.approver, 'pending', 'personal')).toMatch(
      /^27 requests waiting for approval; the first 20 are shown here \(those whose time to decide runs out first\)/,
    );
    await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && c.op !== 'update' && cardText(c.activity).includes(soonest.id),
      5000,
      'the approvers’ copy of the request that runs out first',
    );
  });

  test('past the bound, the answer says only the oldest were read, not "Nothing pending"', async () => {
    h = await startHarness({ ACRBOT_POLICY: join(dir, 'policy.yaml') });
    const main = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.requestGrant(users.requester, 'aks-legacy contosoacr legacy batch jobs');
    // Sam's request is the newest: beyond the oldest WAITING_SCAN_LIMIT read.
    await olderOf(h, main, WAITING_SCAN_LIMIT);

    const answer = await h.turnReplies(sam, 'pending', 'personal');
    expect(answer).not.toContain('There are no requests waiting');
    expect(answer).toContain('Nothing pending among those read');
    expect(answer).toContain('acrbot read only the oldest 10,000 pending requests');
  }, 60_000);
});
