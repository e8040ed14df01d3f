/**
 * The "ask again" command a card suggests is built from the request's plan: pasted as written it
 * parses (domain/command.ts) to the same access, never a wider one (every repository for a token
 * limited to some, the default service account, a token where a service principal was used).
 */
import { parseCommand } from '../../src/domain/command';
import { requesterNewsCard } from '../../src/views/lifecycle-view';
import { askAgainCommand } from '../../src/views/ask-again-command';
import { grantPlan, pendingRequest, secretPlan } from './support/requests';

const TYPED = { cluster: 'name', registry: 'name' } as const;
const DAY = 86_400_000;

/** The command as a channel message after its mention: what the parser is given. */
function parsed(command: string) {
  expect(command.startsWith('@acrbot ')).toBe(true);
  return parseCommand(command.slice('@acrbot '.length).replace('REASON…', 'need it again'));
}

describe('askAgainCommand', () => {
  test('a secret: every option of its plan, and its term', () => {
    const request = pendingRequest({
      plan: secretPlan({
        typed: TYPED,
        credentialKind: 'token',
        serviceAccount: 'builder',
        repositories: ['team/app', 'team/worker'],
        namespace: 'payments',
        secretName: 'team-pull',
      }),
      access: { durationMs: 30 * DAY },
    });
    const command = askAgainCommand(request);
    expect(command).toBe(
      '@acrbot secret aks-prod contosoacr --namespace payments --name team-pull --service-account builder --repositories team/app,team/worker --for 30d REASON…',
    );
    expect(parsed(command)).toEqual({
      verb: 'secret',
      cluster: 'aks-prod',
      registry: 'contosoacr',
      reason: 'need it again',
      options: {
        namespace: 'payments',
        name: 'team-pull',
        serviceAccount: 'builder',
        repositories: 'team/app,team/worker',
        expires: '30d',
      },
    });
  });

  test('a service principal secret says --kind sp; a permanent one --for permanent', () => {
    const request = pendingRequest({
      plan: secretPlan({ typed: TYPED, credentialKind: 'sp' }),
      access: { permanent: true },
    });
    expect(parsed(askAgainCommand(request))).toMatchObject({
      verb: 'secret',
      options: { namespace: 'payments', name: 'acr-auth', kind: 'sp', expires: 'permanent' },
    });
  });

  test('a grant: the pair as the requester typed it, and its term', () => {
    const request = pendingRequest({ plan: { ...grantPlan(), typed: TYPED }, access: { durationMs: 12 * 3_600_000 } });
    expect(askAgainCommand(request)).toBe('@acrbot grant aks-prod contosoacr --for 12h REASON…');
  });

  test('an extension asks for the same extension of its original when told to', () => {
    const request = pendingRequest({
      plan: { ...grantPlan(), typed: TYPED },
      extendsRequestId: 'R-ORIGINAL',
      access: { durationMs: 7 * DAY },
    });
    expect(askAgainCommand(request, { extension: true })).toBe('@acrbot extend R-ORIGINAL --for 7d REASON…');
    expect(askAgainCommand(request)).toBe('@acrbot grant aks-prod contosoacr --for 7d REASON…');
  });
});

describe('"Expired without a decision" names the command to ask again', () => {
  test('a secret request that nobody decided', () => {
    const request = pendingRequest({
      state: 'expired',
      plan: secretPlan({ typed: TYPED, repositories: ['team/app'] }),
      access: { durationMs: 30 * DAY },
    });
    const text = JSON.stringify(requesterNewsCard(request, { kind: 'expiredUnapproved' }));
    expect(text).toContain(
      'Nobody decided in time, so nothing was changed. If you still need the access, ask again: \\"@acrbot secret aks-prod contosoacr --namespace payments --name acr-auth --repositories team/app --for 30d REASON…\\".',
    );
  });

  /** An extension of R-ORIGINAL, filed 2025-01-15 09:00 and due by 2025-01-16 09:00, expired at `at`. */
  const expiredExtension = (at: string, extendsAccess?: { endsAt: string; extendedTimes: number }) =>
    pendingRequest({
      state: 'expired',
      plan: { ...grantPlan(), typed: TYPED },
      extendsRequestId: 'R-ORIGINAL',
      access: { durationMs: 7 * DAY },
      updatedAt: at,
      ...(extendsAccess && { extendsAccess, expiresAt: extendsAccess.endsAt }),
    });
  const newsOf = (request: ReturnType<typeof pendingRequest>) =>
    JSON.stringify(requesterNewsCard(request, { kind: 'expiredUnapproved' }));
  const NEW_REQUEST =
    'The access it extends (R-ORIGINAL) ended before anyone decided, so nothing was extended. If you still need the access, make a new request: \\"@acrbot grant aks-prod contosoacr --for 7d REASON…\\".';

  test("an extension closed before its deadline (its original's access ended early) suggests a new request, not extend", () => {
    expect(newsOf(expiredExtension('2025-01-15T15:00:00.000Z'))).toContain(NEW_REQUEST);
  });

  test("an extension whose wait ended with its original's end suggests a new request", () => {
    const end = '2025-01-15T12:00:00.000Z';
    expect(newsOf(expiredExtension(end, { endsAt: end, extendedTimes: 0 }))).toContain(NEW_REQUEST);
  });

  test('an extension its approval TTL closed while its original still runs is asked for again with extend', () => {
    const text = newsOf(expiredExtension('2025-01-16T09:00:00.000Z'));
    expect(text).toContain('ask again: \\"@acrbot extend R-ORIGINAL --for 7d REASON…\\".');
    expect(text).not.toContain('make a new request');
  });
});
