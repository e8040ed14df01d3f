/**
 * The approvers' report of a requester an expiry reminder could not reach says what happens at
 * the end it names: a grant ends then; a pull secret's credential expiring leaves the access in
 * place but its pulls fail; and a permanent secret's credential is renewed by nobody, so the
 * report does not offer its requester's extension (a permanent request has nothing to extend).
 */
import { tellApproversRequesterUnreachable } from '../../src/flows/unreachable-requester';
import { MemoryAuditLog } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock } from './support/fake-clock';
import { pendingRequest, secretPlan } from './support/requests';

const AT = '2025-04-15T09:00:00.000Z';

/** The report's text for `request` ending (or its credential expiring) at {@link AT}. */
async function reportOf(request: ReturnType<typeof pendingRequest>, credential: boolean): Promise<string> {
  const texts: string[] = [];
  const deps = {
    audit: new MemoryAuditLog(new FakeClock(new Date('2025-04-14T09:00:00.000Z'))),
    messenger: { reportToApprovers: async (_r: unknown, text: string) => (texts.push(text), true) },
    settings: { remindersMs: [] },
    log: createLogger({ level: 'silent' }),
  };
  await tellApproversRequesterUnreachable(deps as never, request, [], { at: AT, credential }, 'refused', 'job-1');
  expect(texts).toHaveLength(1);
  return texts[0]!;
}

const succeeded = { state: 'succeeded' as const };

test('a grant: only the requester can extend it, so it ends then', async () => {
  const text = await reportOf(
    pendingRequest({ ...succeeded, access: { durationMs: 86_400_000, expiresAt: AT } }),
    false,
  );
  expect(text).toContain('could not be reminded that the access ends at 2025-04-15 09:00 UTC');
  expect(text).toContain('Only Riley Requester can extend it, so it ends then.');
});

test("a secret's credential expiring before the term: the access stays, its pulls fail", async () => {
  const request = pendingRequest({
    ...succeeded,
    plan: secretPlan(),
    access: { durationMs: 120 * 86_400_000, expiresAt: '2025-05-15T09:00:00.000Z' },
  });
  const text = await reportOf(request, true);
  expect(text).toContain("could not be reminded that its pull secret's credential expires at 2025-04-15 09:00 UTC");
  expect(text).toContain('Only Riley Requester can extend it, so pulls with the secret fail from then.');
  expect(text).not.toContain('it ends then');
});

test("a permanent secret's credential: nobody renews it, and no extension is offered", async () => {
  const request = pendingRequest({ ...succeeded, plan: secretPlan(), access: { durationMs: 0, permanent: true } });
  const text = await reportOf(request, true);
  expect(text).toContain('Nothing renews it, although the access is permanent: pulls with the secret fail from then.');
  expect(text).not.toContain('extend');
  expect(text).toContain('someone else asks for that access anew');
});
