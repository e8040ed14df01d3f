/**
 * G11, keyed: a single unsigned entry is vouched for only by the operator's adoption entry signed
 * right after it, as a longer unsigned prefix is. Found by mutation testing: a check that let the
 * first signed entry follow one unsigned entry without the adoption passed every test, so a log
 * replaced by one forged entry (no key needed), then appended to by the bot, verified intact.
 */
import { type AuditEntry, chainEntry, KEY_ADOPTION_ACTION, verifyChain } from '../../src/domain/audit-chain';
import { FakeClock, SECOND } from './support/fake-clock';
import { auditEvent } from './support/requests';

const KEY = Buffer.alloc(32, 7);

test('one forged unsigned entry under a signed append is broken at the append; adopted by the operator, it verifies', () => {
  const clock = new FakeClock();
  // Someone who can write the store but not read the key replaces the log with one entry, no MAC.
  const forged = chainEntry(auditEvent(1, { actor: { objectId: 'mallory', name: 'Mallory' } }), undefined, clock.now());
  // The bot, with the key, signs its next append on top of it.
  clock.advance(SECOND);
  const appended: AuditEntry[] = [forged, chainEntry(auditEvent(2), forged, clock.now(), KEY)];
  expect(verifyChain(appended, { seq: 2, hash: appended[1].hash }, KEY)).toMatchObject({
    intact: false,
    count: 2,
    brokenAtSeq: 2,
    problem: expect.stringMatching(
      /^the first signed entry follows 1 unsigned ones without the operator's audit\.key\.enabled entry/,
    ),
  });

  // The same entry adopted by the operator (ACRBOT_AUDIT_ADOPT_UNSIGNED) is the one accepted case.
  const adoption = chainEntry(auditEvent(2, { action: KEY_ADOPTION_ACTION }), forged, clock.now(), KEY);
  expect(verifyChain([forged, adoption], { seq: 2, hash: adoption.hash }, KEY)).toEqual({
    intact: true,
    count: 2,
    unkeyedPrefix: 1,
  });
});
