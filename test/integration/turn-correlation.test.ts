/**
 * One correlation id per turn, also for an activity without an `id`: the lines of the turn and the
 * safety net of `/api/messages` (the line and the 500 for an error the adapter did not answer)
 * carry the same one, so the reference an operator is given finds the turn's lines. Through the
 * real app (restify, the adapter, the bot) in sandbox mode.
 */
import { LeanCloudAdapter } from '../../src/bot/lean-cloud-adapter';
import { startHarness, type Harness, users } from '../helpers/harness';
import { channelMessage, postActivity } from '../helpers/teams-activities';

describe('the correlation id of a turn', () => {
  let h: Harness;
  const originalProcess = LeanCloudAdapter.prototype.process;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    LeanCloudAdapter.prototype.process = originalProcess;
    await h.stop();
  });

  test('an activity without an id: the turn’s lines and the safety net’s line carry one id', async () => {
    // The turn runs and answers; then something the adapter does not answer fails, which the
    // server's safety net logs.
    LeanCloudAdapter.prototype.process = async function (this: LeanCloudAdapter, ...args: unknown[]) {
      await (originalProcess as (...a: unknown[]) => Promise<void>).apply(this, args);
      throw new Error('failed after the turn');
    };
    const { id: _id, ...activity } = channelMessage(users.requester, 'help', { serviceUrl: h.serviceUrl });
    await postActivity(h.app.url, activity);

    const entries = h.logs.entries();
    const turn = entries.filter((e) => e.msg === 'turn');
    const net = entries.filter((e) => e.msg === 'Bot Framework request failed unexpectedly');
    expect(turn).toHaveLength(1);
    expect(net).toHaveLength(1);
    expect(turn[0].correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(net[0].correlationId).toBe(turn[0].correlationId);
  });
});
