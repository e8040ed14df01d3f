/**
 * An on-call member holding break-glass access asks for a normal grant of the same pair (to keep
 * pulling after the incident): the break-glass grant is not "access already exists … extend it"
 * (a break-glass grant is never extended, so that answer led to a refusal and back); the
 * request overlaps it like anyone's (G17) and goes to its approvers.
 */
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { breakGlassPolicyYaml, writePolicyFile } from '../helpers/break-glass-policy';
import { startHarness } from '../helpers/harness';
import { TempDirs } from '../helpers/temp-dirs';
import type { TeamsUser } from '../helpers/teams-activities';

const tempDirs = new TempDirs();
afterAll(() => tempDirs.removeAll());

const olive = SANDBOX_USERS.oncall as TeamsUser;

test('a break-glass holder asking for a normal grant of the same pair: a request for the approvers, no "extend"', async () => {
  const dir = tempDirs.make('acrbot-bg-then-normal-');
  const policyFile = writePolicyFile(dir, breakGlassPolicyYaml({ channel: '19:security@thread.tacv2' }));
  const h = await startHarness({ ACRBOT_POLICY: policyFile });
  try {
    const bg = await h.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, image pull failing');
    expect((await h.settle(bg.id)).state).toBe('succeeded');

    const answer = await h.ask(olive, 'grant aks-prod contosoacr --for 7d need it after the incident too');
    expect(answer).not.toMatch(/Access already exists/);
    expect(answer).not.toMatch(/extend /);
    const ids = [...answer.matchAll(/R-[2-9A-HJKMNP-TV-Z]{8}/g)].map((m) => m[0]).filter((id) => id !== bg.id);
    expect(ids.length).toBeGreaterThan(0);
    const normal = (await h.app.store.get(ids[0]))!;
    expect(normal).toMatchObject({ state: 'pending', requester: { objectId: olive.objectId } });
    expect(normal.policy?.breakGlass).toBeFalsy();
  } finally {
    await h.stop();
  }
});
