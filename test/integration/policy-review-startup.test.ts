/**
 * G13 for break-glass reviews: a grant whose review job is missing when acrbot starts (stored by
 * an older build that scheduled the review after storing the request, or a job lost) gets its
 * review job back from the start-up pass, so it is reported until an approver reviews it. The
 * real app on a SQLite file, started twice.
 */
import { join } from 'node:path';
import { breakGlassReviewJobId } from '../../src/flows/request-jobs';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { breakGlassPolicyYaml, writePolicyFile } from '../helpers/break-glass-policy';
import { type Harness, startHarness } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';

const olive = SANDBOX_USERS.oncall as TeamsUser;

describe('G13: break-glass reviews survive a restart', () => {
  const tempDirs = new TempDirs();
  let h: Harness | undefined;
  afterEach(async () => {
    try {
      await h?.stop();
    } finally {
      tempDirs.removeAll();
    }
  });

  test('a grant owing a review without a job gets its review job at start-up', async () => {
    const dir = tempDirs.make('acrbot-review-startup-');
    const env = {
      ACRBOT_POLICY: writePolicyFile(dir, breakGlassPolicyYaml()),
      ACRBOT_STORAGE: `sqlite:${join(dir, 'acrbot.db')}`,
    };
    h = await startHarness(env);
    const request = await h.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, image pull failing');
    expect((await h.settle(request.id)).state).toBe('succeeded');
    const jobId = breakGlassReviewJobId(request.id);
    expect(await h.app.stores.schedule.get(jobId)).toBeDefined();
    // What an interrupted create (or a lost job) left behind: the grant ran, no review is planned.
    await h.app.stores.schedule.delete(jobId);
    await h.stop();

    h = await startHarness(env);
    expect(await h.app.stores.schedule.get(jobId)).toMatchObject({
      kind: 'breakglass.review',
      requestId: request.id,
      dueAt: request.policy!.review!.dueAt,
    });
    expect(h.logs.entries().some((e) => e.msg === 'scheduled missing break-glass review jobs')).toBe(true);
  });
});
