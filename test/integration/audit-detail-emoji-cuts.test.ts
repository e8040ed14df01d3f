/**
 * Audit entries are well-formed text (the chain hashes their JSON) when what they quote was cut
 * to fit: a Resume reason of emoji clicked by another approver (shortened to fit a reason's
 * length) and a refused `access NAME` with a long name of emoji (cut to a name's length). A cut
 * by UTF-16 units left half an emoji, a lone surrogate, in the entry. Sandbox app; a policy naming
 * two approvers.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';

const megan = SANDBOX_USERS.secondApprover as TeamsUser;
const POLICY = `version: 1
rules:
  - id: default
    match: {}
    approvers: { users: ["${users.approver.objectId}", "${megan.objectId}"] }
`;

/** Whether `text` holds no lone surrogate (what `String.prototype.isWellFormed` answers; not in the TS lib acrbot targets). */
const isWellFormed = (text: string): boolean => !/\p{Cs}/u.test(text);

describe('audit details cut between whole characters', () => {
  const tempDirs = new TempDirs();
  let h: Harness;
  beforeEach(async () => {
    const dir = tempDirs.make('acrbot-audit-detail-emoji-');
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    h = await startHarness({ ACRBOT_POLICY: join(dir, 'policy.yaml') });
  });
  afterEach(async () => {
    try {
      await h.stop();
    } finally {
      tempDirs.removeAll();
    }
  });

  const detailOf = async (action: string) =>
    (await h.app.audit.latest(100)).find((e) => e.action === action)?.detail ?? '';

  test('access.resumed: a reason of 240 emoji, clicked by another approver', async () => {
    await h.ask(users.approver, 'pause unexpected grants on prod, investigating');
    const before = h.connector.calls.length;
    expect((await h.say(users.approver, `resume ${'😀'.repeat(240)}`)).status).toBe(200);
    const reply = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && JSON.stringify(c.activity).includes('resumeConfirm'),
      10_000,
      'the Resume card',
    );
    const card = (
      reply.activity.attachments as Array<{ content: { actions: Array<{ verb: string; data: object }> } }>
    )[0].content;
    const data = card.actions.find((a) => a.verb === 'resumeConfirm')!.data as Record<string, unknown>;
    expect((await h.click(megan, 'resumeConfirm', data)).status).toBe(200);
    expect(await h.app.stores.pause.current()).toBeUndefined();
    const detail = await detailOf('access.resumed');
    // The reason cut to fit a reason's length ("…"), the detail then cut to the audit's ("…").
    expect(detail).toMatch(/^reason on the card, said to be typed by Alex Approver \(.*\): (😀)+…/u);
    expect(isWellFormed(detail)).toBe(true);
    // Cut whole, not mended afterwards.
    expect(detail).not.toContain('\uFFFD');
  });

  test('access.refused: a name of emoji longer than a name is kept', async () => {
    await h.ask(users.outsider, `access x${'😀'.repeat(60)}`);
    const detail = await detailOf('access.refused');
    expect(detail).toBe(`access x${'😀'.repeat(49)}`);
    expect(isWellFormed(detail)).toBe(true);
  });
});
