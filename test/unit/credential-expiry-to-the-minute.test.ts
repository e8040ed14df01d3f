/**
 * A pull secret's credential expires at a moment (when it was made plus its lifetime), not on a
 * day: a date alone reads up to a day late west of UTC (a New Yorker reads "2026-12-15" as the
 * whole of their 15th, which ended at 19:00 on the 14th there). The plan's lines, the outcome and
 * the refusal of someone else's secret say the minute, in UTC, as every other end is shown.
 */
import { newCredentialLines } from '../../src/domain/secret-credential-lines';
import { decideReplacement } from '../../src/domain/secret-ownership';
import { credentialValidity } from '../../src/flows/secret-run-text';
import { pendingRequest, secretPlan } from './support/requests';

const EXPIRES = '2026-12-15T03:30:00.000Z';

describe('a credential expiry is shown to the minute, in UTC', () => {
  test('a token plan: its password line', () => {
    const plan = secretPlan({ expiresAt: EXPIRES });
    expect(newCredentialLines(plan, EXPIRES)).toContain(
      'Generate password1 expiring 2026-12-15 03:30 UTC (shown to nobody: it goes straight into the secret)',
    );
  });

  test('a service principal plan (and its rotation): its password line', () => {
    const plan = secretPlan({ credentialKind: 'sp', credentialName: 'acrbot-contosoacr', expiresAt: EXPIRES });
    expect(newCredentialLines(plan, EXPIRES)).toContain(
      'Add a password expiring 2026-12-15 03:30 UTC (shown to nobody)',
    );
    expect(newCredentialLines(plan, EXPIRES, true)).toContain(
      'Add a password expiring 2026-12-15 03:30 UTC (shown to nobody)',
    );
  });

  test('the outcome of a secret without an end: valid until the minute', () => {
    const plan = secretPlan({ expiresAt: EXPIRES });
    const request = pendingRequest({ plan, access: { permanent: true } });
    expect(credentialValidity(request, plan)).toBe(', valid until 2026-12-15 03:30 UTC');
  });

  test('the outcome of a credential that outlasts its access: when it would lapse', () => {
    const plan = secretPlan({ expiresAt: EXPIRES });
    const request = pendingRequest({ plan, createdAt: '2026-12-07T03:30:00.000Z', access: { durationMs: 86_400_000 } });
    expect(credentialValidity(request, plan)).toBe(
      '; acrbot deletes it when the access ends (it would lapse by itself at 2026-12-15 03:30 UTC)',
    );
  });

  test('the outcome of a credential capped before its access ends: valid until the minute', () => {
    const plan = secretPlan({ expiresAt: EXPIRES });
    const request = pendingRequest({
      plan,
      createdAt: '2026-12-07T03:30:00.000Z',
      access: { durationMs: 30 * 86_400_000 },
    });
    expect(credentialValidity(request, plan)).toMatch(
      /^, valid until 2026-12-15 03:30 UTC, before the access would end:/,
    );
  });

  test('a secret someone else wrote: when it was created', () => {
    const request = pendingRequest({ plan: secretPlan() });
    const decision = decideReplacement(
      request,
      { createdAt: '2026-12-07T02:15:00.000Z', writers: ['kubectl-client-side-apply'] },
      undefined,
    );
    expect(decision.replace).toBe(false);
    expect(decision.replace === false && decision.reason).toContain(
      "It seems to be someone else's secret (last written by kubectl-client-side-apply, created 2026-12-07 02:15 UTC).",
    );
  });
});
