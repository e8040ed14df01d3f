/**
 * A reason or comment too long is refused in one set of words (domain/text.ts `tooLongSentence`),
 * true of text in any script: the grant form's reason reads as `checkReason`'s refusal does, and
 * a decision's comment (on the card and from RequestService) in the same words, so 300 emoji are
 * not called "600 characters". Names cut for the form's prefill or an audited limit refusal are
 * cut between whole characters (`cutText`): no half of an emoji is put back into the form or
 * stored. Through the real app over HTTP (sandbox mode).
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import { checkReason, tooLongSentence } from '../../src/domain/text';
import { type Harness, startHarness, users } from '../helpers/harness';

/** Every character a card answer shows or holds, as one string (JSON escapes a lone surrogate as `\ud83d`). */
const shown = (res: { body: any }): string => JSON.stringify(res.body?.value ?? res.body);

/** Whether `text` holds no lone surrogate (what `String.prototype.isWellFormed` answers; not in the TS lib acrbot targets). */
const isWellFormed = (text: string): boolean => !/\p{Cs}/u.test(text);

/** 300 emoji: 300 characters, 600 UTF-16 units, over a reason's limit of 500 units. */
const EMOJI_300 = '😀'.repeat(300);
/** The words of the emoji refusal, for a comment, without its ending. */
const EMOJI_COMMENT =
  'The comment is too long: its 300 characters count as 600, since an emoji (like a few other characters) counts as two; keep it under 500';

describe('tooLongSentence', () => {
  test('without an ending, the sentence checkReason refuses with (its callers unchanged)', () => {
    expect(tooLongSentence('reason', 'x'.repeat(620), 500)).toBe(
      'The reason is 620 characters long; keep it under 500.',
    );
    expect(() => checkReason(EMOJI_300)).toThrow(tooLongSentence('reason', EMOJI_300, 500));
  });

  test("an ending finishes the request to keep it short, in either sentence; the noun is the caller's", () => {
    expect(tooLongSentence('comment', 'x'.repeat(501), 500, 'and click again')).toBe(
      'The comment is 501 characters long; keep it under 500 and click again.',
    );
    expect(tooLongSentence('comment', EMOJI_300, 500, 'and click again')).toBe(`${EMOJI_COMMENT} and click again.`);
  });
});

describe('reasons and comments too long, through the app', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ ACRBOT_REQUESTS_PER_MINUTE: '1000', ACRBOT_MAX_PENDING_PER_USER: '50' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const auditSince = async (seq: number): Promise<AuditEntry[]> =>
    (await h.app.audit.latest(200)).filter((e) => e.seq > seq);
  const lastSeq = async (): Promise<number> => (await h.app.audit.latest(1))[0]?.seq ?? 0;

  test("the grant form: a reason of 300 emoji is refused in checkReason's words; the fields put back are whole characters", async () => {
    const seq = await lastSeq();
    // 4001 units: the prefill's cut (4000) falls inside the last emoji of each field.
    const long = `x${'😀'.repeat(2000)}`;
    for (const [fields, words] of [
      [{ cluster: 'aks-prod', registry: 'contosoacr', reason: EMOJI_300 }, EMOJI_300],
      [{ cluster: 'aks-prod', registry: 'contosoacr', reason: long }, long],
    ] as const) {
      const res = await h.click(users.requester, 'grantForm', { form: 'grant', ...fields });
      expect(res.status).toBe(200);
      const text = shown(res);
      let refusal = '';
      try {
        checkReason(words);
      } catch (err) {
        refusal = (err as Error).message;
      }
      expect(refusal).toMatch(/^The reason is too long: its \d+ characters count as \d+, since an emoji/);
      expect(text).toContain(JSON.stringify(`${refusal} Nothing was requested.`).slice(1, -1));
    }
    const cardFields = JSON.parse(
      shown(
        await h.click(users.requester, 'grantForm', {
          form: 'grant',
          cluster: long,
          registry: long,
          reason: long,
        }),
      ),
    );
    // The form as drawn again: every string in it well-formed, each field cut before the emoji the cut fell in.
    const strings: string[] = [];
    JSON.stringify(cardFields, (_k, v: unknown) => (typeof v === 'string' && strings.push(v), v));
    expect(strings.every(isWellFormed)).toBe(true);
    expect(strings).toContain(`x${'😀'.repeat(1999)}`);
    expect((await auditSince(seq)).filter((e) => e.action === 'validation.failed').map((e) => e.outcome)).toEqual([
      'validation.tooLong',
      'validation.tooLong',
      'validation.tooLong',
    ]);
  });

  test('a comment of 300 emoji on Approve or Reject, and through RequestService: its characters are counted, not called 600', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy emoji-api');
    for (const [verb, button] of [
      ['reject', 'Reject'],
      ['approve', 'Approve'],
    ]) {
      const text = shown(await h.click(users.approver, verb, { requestId: request.id, comment: EMOJI_300 }));
      expect(text).toContain(`${EMOJI_COMMENT} and press ${button} again. Nothing was changed.`);
      expect(text).not.toContain('600 characters long');
    }
    await expect(
      h.app.services.requests.decide({
        requestId: request.id,
        acting: { actor: { objectId: users.approver.objectId, name: users.approver.name }, tenantId: request.tenantId },
        approve: true,
        reason: EMOJI_300,
      }),
    ).rejects.toThrow(`${EMOJI_COMMENT} and click again. Nothing was changed.`);
    // An ASCII comment reads as it always did.
    const ascii = shown(await h.click(users.approver, 'approve', { requestId: request.id, comment: 'x'.repeat(501) }));
    expect(ascii).toContain(
      'The comment is 501 characters long; keep it under 500 and press Approve again. Nothing was changed.',
    );
    expect((await h.app.store.get(request.id))!.state).toBe('pending');
  });
});

describe('names cut for an audited limit refusal', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  test('a grant of emoji names refused by the rate limit: the detail holds whole emoji, cut at a name length', async () => {
    h = await startHarness({ ACRBOT_REQUESTS_PER_MINUTE: '1' });
    await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const cluster = `x${'😀'.repeat(60)}`;
    expect(await h.ask(users.requester, `grant ${cluster} contosoacr one too many`)).toMatch(
      /more than 1 request in the last minute/,
    );
    const refused = (await h.app.audit.latest(50)).find((e) => e.action === 'request.refused.rate')!;
    // Cut at 100 units, before the emoji the cut fell in; not mended into U+FFFD afterwards.
    expect(refused.detail).toBe(`grant x${'😀'.repeat(49)} contosoacr`);
  });
});
