/**
 * G11 (every refusal audited) for the buttons whose card data each handler checks itself: a
 * revoke confirmation, a reminder's Extend, the grant form and a Resume click whose data is not
 * what acrbot's card carries are refused with their usual card and one `validation.failed`
 * entry (outcome `badCardData`, the verb), as Approve, Reject, Refresh and Cancel were already.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import { type Harness, startHarness, users } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

const lastSeq = async (): Promise<number> => (await h.app.audit.latest(1))[0]?.seq ?? 0;
const auditSince = async (seq: number): Promise<AuditEntry[]> =>
  (await h.app.audit.latest(200)).filter((e) => e.seq > seq);

test.each<[string, Record<string, unknown>, RegExp]>([
  ['revokeConfirm', { requestId: 'x' }, /did not carry valid request ids/],
  // What was wrong, and the command to type instead: the id when the card carried a good one.
  ['extend', {}, /did not carry a valid request id; type \\"@acrbot extend REQUEST-ID --for 30d REASON…\\" instead/],
  [
    'extend',
    { requestId: 'R-7K2M9QXA', reason: 5 },
    /duration or reason could not be read; type \\"@acrbot extend R-7K2M9QXA --for 30d REASON…\\" instead/,
  ],
  ['grantForm', { cluster: 5 }, /The form was not understood/],
  ['resumeConfirm', {}, /This card is not valid/],
])('%s with bad card data: refused with its card, one validation.failed entry', async (verb, data, answer) => {
  const seq = await lastSeq();
  const res = await h.click(users.requester, verb, data);
  expect(res.status).toBe(200);
  expect(JSON.stringify(res.body)).toMatch(answer);
  const entries = await auditSince(seq);
  expect(entries).toEqual([
    expect.objectContaining({
      action: 'validation.failed',
      outcome: 'badCardData',
      detail: `verb=${verb}`,
      actor: expect.objectContaining({ objectId: users.requester.objectId }),
    }),
  ]);
});
