/**
 * What the approvers read of a scheduled job that keeps failing (G17): only text meant for users.
 * An Azure refusal shows its status and code; an unexpected error (a store's or a library's raw
 * message, which may name hosts, paths and internals) shows "unexpected error" with the reference
 * its log line carries, and the operators keep the raw text in the job and that line. Through the
 * real server, the scheduler and the sandbox emulators, with a test clock.
 */
import type { AccessRequest } from '../../src/domain/request';
import { SANDBOX_APPROVAL_CHANNEL_ID } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';

const MINUTE = 60_000;
const INTERNAL = 'SQLITE_IOERR: disk I/O error at /var/lib/acrbot/acrbot.db (page 4711)';

describe('reports of a failing job', () => {
  let h: Harness;
  let now: Date;
  const clock = { now: () => now };

  beforeEach(async () => {
    now = new Date('2026-11-30T10:00:00Z');
    h = await startHarness(
      { ACRBOT_MIN_ACCESS_DURATION: '1m', ACRBOT_EXPIRY_REMINDERS: 'none' },
      { clock, jobBackoffMs: [MINUTE, MINUTE], jobReportAfterAttempts: 1 },
    );
  });
  afterEach(async () => h.stop());

  /** A grant for 2 minutes, approved and succeeded, then its end reached. */
  async function grantedThenEnded(): Promise<AccessRequest> {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    h.connector.clear();
    now = new Date(now.getTime() + 2 * MINUTE);
    return request;
  }

  /** The text of the report posted in the approvals channel. */
  async function report(): Promise<string> {
    const posted = await h.connector.waitFor(
      (c) => c.op !== 'update' && /Needs attention/.test(cardText(c.activity)),
      5000,
      'the report in the approvals channel',
    );
    expect(posted.conversationId).toContain(SANDBOX_APPROVAL_CHANNEL_ID);
    return cardText(posted.activity);
  }

  test('an unexpected error: the report gives a reference, not the raw text; the job and the log line keep it', async () => {
    const request = await grantedThenEnded();
    const jobId = `access.expire:${request.id}`;
    // The store fails as the revocation begins: a raw message naming a path on the host.
    const store = h.app.store;
    const update = store.update.bind(store);
    store.update = async (next) => {
      if (next.id === request.id) throw new Error(INTERNAL);
      return update(next);
    };
    await h.app.scheduler.runDue();

    const text = await report();
    expect(text).toContain(
      `Revoking the access is not done after 1 attempt (last answer: unexpected error (reference job-${jobId})).`,
    );
    expect(text).not.toContain('SQLITE');
    expect(text).not.toContain('/var/lib');
    // The reference finds the line with the raw error.
    const failed = h.logs.entries().filter((e) => e.msg === 'scheduled job failed; retrying later');
    expect(failed).toEqual([
      expect.objectContaining({
        jobId,
        correlationId: `job-${jobId}`,
        err: expect.objectContaining({ message: INTERNAL }),
      }),
    ]);
    expect((await h.app.scheduler.get(jobId))?.lastError).toBe(INTERNAL);
  });

  test('an Azure refusal: the report shows its status and code, not its message', async () => {
    const request = await grantedThenEnded();
    h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.delete', status: 403, code: 'AuthorizationFailed' });
    await h.app.scheduler.runDue();

    const text = await report();
    // With the denied action (checked: an operation's shape) and the request id, never the rest of the message.
    expect(text).toMatch(
      /Revoking the access is not done after 1 attempt \(last answer: 403 AuthorizationFailed, denied action Microsoft\.Authorization\/roleAssignments\/delete, Azure request id [0-9a-f-]+ \(correlation id [0-9a-f-]+ in the Activity Log\)\)\./,
    );
    // ARM's message (ids, scopes) is for operators, in the job and the log.
    const lastError = (await h.app.scheduler.get(`access.expire:${request.id}`))?.lastError;
    expect(lastError).toMatch(/^role assignment delete failed: .*does not have authorization/);
    expect(text).not.toContain('does not have authorization');
  });
});
