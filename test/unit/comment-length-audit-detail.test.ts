/**
 * A decision's comment refused as too long is audited with the count the approver was told
 * (domain/text.ts `characterCount`, in `tooLongSentence`'s words): 300 emoji are "300 characters
 * counting as 600" in the detail, as in the refusal, not "600 characters"; a comment of one unit
 * a character reads as it always did. Real memory stores and the real RequestService.
 */
import { characterCount, tooLongClause, tooLongSentence } from '../../src/domain/text';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { FakeClock } from './support/fake-clock';
import { policy, rule } from './support/policy-fixtures';
import { quietRequestService } from './support/quiet-request-service';
import { APPROVER, pendingRequest } from './support/requests';

/** 300 emoji: 300 characters, 600 UTF-16 units, over a comment's limit of 500 units. */
const EMOJI_300 = '😀'.repeat(300);

describe('characterCount and tooLongClause say the count tooLongSentence says', () => {
  test.each([
    ['one unit a character', 'x'.repeat(501), '501 characters', 'The comment is 501 characters long'],
    [
      'emoji, two units each',
      EMOJI_300,
      '300 characters counting as 600',
      'The comment is too long: its 300 characters count as 600, since an emoji (like a few other characters) counts as two',
    ],
    ['a mix', `${'x'.repeat(450)}${'😀'.repeat(30)}`, '480 characters counting as 510', null],
  ])('%s', (_what, text, count, clause) => {
    expect(characterCount(text)).toBe(count);
    if (clause) expect(tooLongClause('comment', text)).toBe(clause);
    expect(tooLongSentence('comment', text, 500)).toBe(`${tooLongClause('comment', text)}; keep it under 500.`);
  });
});

describe("a comment too long is audited in the refusal's count", () => {
  test.each([
    [
      '300 emoji',
      EMOJI_300,
      'its 300 characters count as 600',
      'comment of 300 characters counting as 600; the limit is 500',
    ],
    ['501 letters', 'x'.repeat(501), 'is 501 characters long', 'comment of 501 characters; the limit is 500'],
  ])('%s', async (_what, comment, told, detail) => {
    const clock = new FakeClock();
    const store = new MemoryRequestStore();
    const audit = new MemoryAuditLog({ now: () => clock.now() });
    const request = pendingRequest();
    await store.create(request);
    const service = quietRequestService({ store, clock, policy: policy([rule('default')]), audit });
    await expect(
      service.decide({
        requestId: request.id,
        acting: { actor: APPROVER, tenantId: request.tenantId },
        approve: true,
        reason: comment,
      }),
    ).rejects.toThrow(told);
    const refusals = (await audit.latest(10)).filter((e) => e.outcome === 'validation.tooLong');
    expect(refusals.map((e) => e.detail)).toEqual([detail]);
    expect((await store.get(request.id))!.state).toBe('pending');
  });
});
