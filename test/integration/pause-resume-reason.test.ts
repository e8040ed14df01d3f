/**
 * The Resume button of `resume REASON…` carries the reason with who typed it: in a channel
 * another approver may click it, and their click is then audited with the reason as the
 * typist's, as the card claims it ("said to be typed by …"), not as a reason of their own. The
 * typist's own click is audited with the reason as typed. Sandbox app; a policy naming two
 * approvers.
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

describe('the reason on a Resume button', () => {
  const tempDirs = new TempDirs();
  let h: Harness;
  beforeEach(async () => {
    const dir = tempDirs.make('acrbot-pause-resume-reason-');
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

  /** Pauses as Alex, then has Alex type `resume REASON`; answers the Resume button's data. */
  async function resumeCardData(reason: string): Promise<Record<string, unknown>> {
    await h.ask(users.approver, 'pause unexpected grants on prod, investigating');
    expect(await h.app.stores.pause.current()).toBeDefined();
    const before = h.connector.calls.length;
    expect((await h.say(users.approver, `resume ${reason}`)).status).toBe(200);
    const reply = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && JSON.stringify(c.activity).includes('resumeConfirm'),
      10_000,
      'the Resume card',
    );
    const card = (
      reply.activity.attachments as Array<{ content: { actions: Array<{ verb: string; data: object }> } }>
    )[0].content;
    const action = card.actions.find((a) => a.verb === 'resumeConfirm')!;
    return action.data as Record<string, unknown>;
  }

  const resumedDetail = async () =>
    (await h.app.audit.latest(100)).find((e) => e.action === 'access.resumed')?.detail ?? '';

  test('clicked by another approver: audited as the reason the typist gave, naming them', async () => {
    const data = await resumeCardData('incident 42 closed');
    const click = await h.click(megan, 'resumeConfirm', data);
    expect(click.status).toBe(200);
    expect(await h.app.stores.pause.current()).toBeUndefined();
    expect(await resumedDetail()).toMatch(
      new RegExp(
        `^reason on the card, said to be typed by Alex Approver \\(${users.approver.objectId}\\): incident 42 closed; was paused since .* by Alex Approver`,
      ),
    );
    const entry = (await h.app.audit.latest(100)).find((e) => e.action === 'access.resumed')!;
    expect(entry.actor.objectId).toBe(megan.objectId);
  });

  test('clicked by the approver who typed it: audited with the reason as typed', async () => {
    const data = await resumeCardData('incident 42 closed');
    await h.click(users.approver, 'resumeConfirm', data);
    expect(await h.app.stores.pause.current()).toBeUndefined();
    expect(await resumedDetail()).toMatch(/^incident 42 closed; was paused since .* by Alex Approver/);
  });
});
