/**
 * G5 on the card a click is answered with: when an approver's click drops an earlier approval
 * (its author was disabled in Entra since), the card that approver gets back says whose approval
 * no longer counts and why (discounted-approvals.ts `droppedNotice`, wired in decision-handler.ts).
 * The dropped approver's display name is their own text: it shows inert there, no live link and
 * no mention. Driven through the real app over the Graph emulator, as quorum-card-views.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { invokeText, verbs } from '../helpers/card-views';
import { type Harness, startHarness, users } from '../helpers/harness';
import { TempDirs } from '../helpers/temp-dirs';
import type { TeamsUser } from '../helpers/teams-activities';

/** An approver whose display name tries to be a link and a mention. */
const mallory: TeamsUser = {
  objectId: '0a000000-0000-4000-8000-00000000f0f1',
  name: '[x](https://evil) @everyone <at>everyone</at>',
  teamsId: '29:mallory-approver',
};
const sam = SANDBOX_USERS.secondApprover as TeamsUser;

/** The colour of the text block (anywhere in the answered card) whose text starts with `start`. */
function noticeColor(res: { body: any }, start: string): string | undefined {
  const walk = (node: any): any[] =>
    Array.isArray(node)
      ? node.flatMap(walk)
      : node && typeof node === 'object'
        ? [node, ...Object.values(node).flatMap(walk)]
        : [];
  const nodes = walk(res.body?.value);
  // A Warning notice is drawn on a warning-styled background (request.json): it reads as Warning here.
  const boxed = nodes.find(
    (n) => n.type === 'Container' && n.style === 'warning' && String(n.items?.[0]?.text).startsWith(start),
  );
  return boxed ? 'Warning' : nodes.find((n) => n.type === 'TextBlock' && String(n.text).startsWith(start))?.color;
}

const POLICY = `version: 1
rules:
  - id: prod-two
    match: {}
    approvers:
      name: Platform Approvers
      users: ["${mallory.objectId}", "${SANDBOX_USERS.approver.objectId}", "${sam.objectId}"]
    approvalsRequired: 2
`;

describe('the card of a click that drops an earlier approval', () => {
  let h: Harness;
  const temp = new TempDirs();
  afterEach(async () => {
    try {
      await h?.stop();
    } finally {
      temp.removeAll();
    }
  });

  test('tells the clicking approver whose approval no longer counts, with that name inert', async () => {
    const policy = join(temp.make('acrbot-dropped-notice-'), 'policy.yaml');
    writeFileSync(policy, POLICY);
    h = await startHarness({ ACRBOT_POLICY: policy });
    const directory = h.app.sandbox!.directory;
    directory.addUser({ id: mallory.objectId, displayName: mallory.name });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');

    const first = await h.click(mallory, 'approve', { requestId: request.id });
    expect(first.status).toBe(200);
    expect((await h.app.store.get(request.id))!.approvals?.map((a) => a.by.objectId)).toEqual([mallory.objectId]);
    directory.users.get(mallory.objectId.toLowerCase())!.accountEnabled = false;

    const second = await h.click(users.approver, 'approve', { requestId: request.id });
    expect(second.status).toBe(200);
    const stored = (await h.app.store.get(request.id))!;
    expect(stored.state).toBe('pending');
    expect(stored.discountedApprovals).toEqual([expect.objectContaining({ why: 'disabledOrGone' })]);
    // Still their own approver view: Reject only, their approval counting.
    expect(verbs(second)).toEqual(['withdrawApproval', 'reject']);
    const shown = invokeText(second);
    expect(shown).toContain('Your approval is recorded; the request needs more approvers.');
    expect(shown).toContain(`No longer counted towards request ${request.id}'s approvals:`);
    expect(shown).toContain('(disabled or gone from the directory).');
    // Bad news in the warning colour, not the success green of a plain recorded approval.
    expect(noticeColor(second, 'Your approval is recorded')).toBe('Warning');
    // The name is there, broken up: no markdown link, no live URL, no mention tag.
    expect(shown).toContain('@everyone');
    expect(shown).not.toMatch(/\]\(/);
    expect(shown).not.toMatch(/https?:\/\/evil/);
    expect(shown).not.toMatch(/<at>/i);
  });
});
