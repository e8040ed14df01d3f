import { UserFacingError } from '../../src/domain/errors';
import {
  describeState,
  FINAL_STATES,
  isExpired,
  REQUEST_STATES,
  STATE_ROUNDS,
  transition,
  type AccessRequest,
  type Outcome,
  type RequestEvent,
  type RequestState,
} from '../../src/domain/request';
import { FakeClock, HOUR, SECOND } from './support/fake-clock';
import { APPROVER, pendingRequest, REQUESTER } from './support/requests';

const STATES: RequestState[] = [
  'pending',
  'approved',
  'executing',
  'succeeded',
  'failed',
  'rejected',
  'expired',
  'cancelled',
];
const AT = new Date('2025-01-15T10:00:00.000Z');
const OUTCOME: Outcome = { summary: 'granted', azureRequestIds: ['req-1'] };
const EVENTS: Record<RequestEvent['type'], RequestEvent> = {
  approve: { type: 'approve', by: APPROVER, at: AT, reason: 'looks right' },
  recordApproval: { type: 'recordApproval', by: APPROVER, at: AT, reason: 'first of two' },
  reject: { type: 'reject', by: APPROVER, at: AT, reason: 'wrong registry' },
  cancel: { type: 'cancel', by: REQUESTER, at: AT },
  expire: { type: 'expire', at: AT },
  start: { type: 'start', at: AT },
  succeed: { type: 'succeed', at: AT, outcome: OUTCOME },
  fail: { type: 'fail', at: AT, outcome: { ...OUTCOME, error: 'boom' } },
  cleanedUp: { type: 'cleanedUp', at: AT },
  beginRevoke: { type: 'beginRevoke', at: AT },
  revoke: { type: 'revoke', at: AT, by: APPROVER, reason: 'no longer needed' },
  extend: { type: 'extend', at: AT, expiresAt: '2025-02-15T10:00:00.000Z', durationMs: 86_400_000, by: 'R-EXTEND01' },
};

/** The complete transition table: [from, event] -> to. Anything absent is forbidden. */
const ALLOWED: Record<string, RequestState> = {
  'pending/approve': 'approved',
  'pending/recordApproval': 'pending',
  'pending/reject': 'rejected',
  'pending/cancel': 'cancelled',
  'pending/expire': 'expired',
  'approved/start': 'executing',
  'executing/start': 'executing',
  'approved/fail': 'failed',
  'executing/fail': 'failed',
  'executing/succeed': 'succeeded',
  'failed/cleanedUp': 'failed',
  'succeeded/beginRevoke': 'succeeded',
  'succeeded/revoke': 'revoked',
  'succeeded/extend': 'succeeded',
};

function inState(state: RequestState): AccessRequest {
  const decided = state !== 'pending' && state !== 'expired';
  return pendingRequest({
    state,
    version: 3,
    ...(decided ? { decision: { by: APPROVER, at: AT.toISOString(), approved: state !== 'rejected' } } : {}),
  });
}

const cases = STATES.flatMap((from) =>
  (Object.keys(EVENTS) as RequestEvent['type'][]).map((event) => [from, event, ALLOWED[`${from}/${event}`]] as const),
);

describe('transition table', () => {
  test.each(cases.filter(([, , to]) => to !== undefined))('%s --%s--> %s', (from, event, to) => {
    const before = inState(from);
    const frozen = JSON.stringify(before);
    const next = transition(before, EVENTS[event]);
    expect(next.state).toBe(to);
    expect(next.version).toBe(before.version + 1);
    expect(next.updatedAt).toBe(AT.toISOString());
    expect(next.id).toBe(before.id);
    expect(next.plan).toEqual(before.plan);
    expect(JSON.stringify(before)).toBe(frozen); // the input is not mutated
  });

  test.each(cases.filter(([, , to]) => to === undefined))('%s --%s--> refused', (from, event) => {
    const before = inState(from);
    let error: unknown;
    try {
      transition(before, EVENTS[event]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as UserFacingError).code).toBe('request.alreadyDecided');
    expect((error as UserFacingError).message).toBe(
      `Request ${before.id} is already ${describeState(before)}; nothing was changed.`,
    );
  });

  test('final states accept no event that changes the state (a failed one may only record its credential clean-up; granted access may end, begin to end, or be extended)', () => {
    expect(FINAL_STATES).toEqual(['succeeded', 'failed', 'rejected', 'expired', 'cancelled', 'revoked']);
    for (const state of FINAL_STATES) {
      for (const event of Object.values(EVENTS)) {
        if (state === 'failed' && event.type === 'cleanedUp') {
          const next = transition({ ...inState(state), outcome: { ...OUTCOME, cleanup: 'pending' } }, event);
          expect(next.state).toBe('failed');
          expect(next.outcome?.cleanup).toBe('deleted');
        } else if (
          state === 'succeeded' &&
          (event.type === 'revoke' || event.type === 'extend' || event.type === 'beginRevoke')
        ) {
          expect(transition(inState(state), event).state).toBe(ALLOWED[`succeeded/${event.type}`]);
        } else {
          expect(() => transition(inState(state), event)).toThrow(UserFacingError);
        }
      }
    }
  });
});

describe('lifecycle order', () => {
  // Stores that list several states with one read per state (Azure Tables) read a round's states
  // at once and the rounds in order, and rely on this to find a request that moves between reads.
  const roundOf = (state: RequestState) => STATE_ROUNDS.findIndex((round) => round.includes(state));
  test.each(cases.filter(([, , to]) => to !== undefined))(
    '%s --%s--> %s stays or moves to a later round of STATE_ROUNDS',
    (from, event) => {
      const to = transition(inState(from), EVENTS[event]).state;
      if (to !== from) expect(roundOf(to)).toBeGreaterThan(roundOf(from));
    },
  );

  test('STATE_ROUNDS holds every state once', () => {
    expect(STATE_ROUNDS.flat().toSorted()).toEqual([...REQUEST_STATES].toSorted());
  });
});

describe('transition payloads', () => {
  test('succeed starts the access term: expiresAt = success time + duration; no term stays without expiry', () => {
    const timed = transition(inState('executing'), EVENTS.succeed);
    expect(timed.access).toBeUndefined();
    const boxed = transition({ ...inState('executing'), access: { durationMs: 2 * HOUR } }, EVENTS.succeed);
    expect(boxed.access).toEqual({ durationMs: 2 * HOUR, expiresAt: '2025-01-15T12:00:00.000Z' });
    const permanent = transition({ ...inState('executing'), access: { permanent: true } }, EVENTS.succeed);
    expect(permanent.access).toEqual({ permanent: true });
  });

  test('revoke records when, by whom and why; extend moves the end', () => {
    const granted = { ...inState('succeeded'), access: { durationMs: HOUR, expiresAt: AT.toISOString() } };
    expect(transition(granted, EVENTS.revoke).access).toMatchObject({
      revokedAt: AT.toISOString(),
      revokedBy: APPROVER,
      revokeReason: 'no longer needed',
    });
    expect(transition(granted, EVENTS.extend).access).toMatchObject({
      expiresAt: '2025-02-15T10:00:00.000Z',
      durationMs: HOUR + 86_400_000,
      extendedBy: ['R-EXTEND01'],
    });
  });

  test('approve records the decider, time and reason', () => {
    expect(transition(pendingRequest(), EVENTS.approve).decision).toEqual({
      by: APPROVER,
      at: AT.toISOString(),
      approved: true,
      reason: 'looks right',
    });
  });

  test('reject records approved=false', () => {
    expect(transition(pendingRequest(), EVENTS.reject).decision).toEqual({
      by: APPROVER,
      at: AT.toISOString(),
      approved: false,
      reason: 'wrong registry',
    });
  });

  test('expire leaves no decision', () => {
    expect(transition(pendingRequest(), EVENTS.expire).decision).toBeUndefined();
  });

  test('succeed and fail store the outcome', () => {
    const executing = transition(transition(pendingRequest(), EVENTS.approve), EVENTS.start);
    expect(transition(executing, EVENTS.succeed).outcome).toEqual(OUTCOME);
    expect(transition(executing, EVENTS.fail).outcome).toEqual({ ...OUTCOME, error: 'boom' });
  });

  test('a full happy path increments the version once per step', () => {
    let r = pendingRequest({ version: 1 });
    for (const e of [EVENTS.approve, EVENTS.start, EVENTS.succeed]) r = transition(r, e);
    expect(r).toMatchObject({ state: 'succeeded', version: 4 });
  });
});

describe('already-decided message names the decider', () => {
  test.each<[RequestState, boolean, string]>([
    ['approved', true, 'approved by Alex Approver'],
    ['executing', true, 'approved by Alex Approver, running now'],
    ['succeeded', true, 'approved by Alex Approver and done'],
    ['failed', true, 'approved by Alex Approver, but it failed'],
    ['rejected', false, 'rejected by Alex Approver'],
  ])('%s', (state, approved, phrase) => {
    const request = pendingRequest({ state, decision: { by: APPROVER, at: AT.toISOString(), approved } });
    expect(describeState(request)).toBe(phrase);
    expect(() => transition(request, EVENTS.approve)).toThrow(
      `Request R-7K2M9QXA is already ${phrase}; nothing was changed.`,
    );
  });

  test.each<[RequestState, string]>([
    ['executing', 'started as break-glass by Riley Requester, running now'],
    ['succeeded', 'started as break-glass by Riley Requester and done'],
    ['failed', 'started as break-glass by Riley Requester, but it failed'],
  ])('break-glass, %s: its requester started it, nobody approved it (%s)', (state, phrase) => {
    const request = pendingRequest({
      state,
      decision: { by: REQUESTER, at: AT.toISOString(), approved: true },
      policy: { ruleId: 'break-glass', policyHash: 'h', approvalsRequired: 0, breakGlass: true },
    });
    expect(describeState(request)).toBe(phrase);
    // The requester's own `cancel R-…` of their break-glass grant.
    expect(() => transition(request, { type: 'cancel', by: REQUESTER, at: AT })).toThrow(
      `Request R-7K2M9QXA is already ${phrase}; nothing was changed.`,
    );
  });

  test.each<[RequestState, string]>([
    ['pending', 'waiting for approval'],
    ['expired', 'expired without a decision'],
    ['approved', 'approved'],
  ])('%s without a decision -> %s', (state, phrase) => {
    expect(describeState(pendingRequest({ state }))).toBe(phrase);
  });
});

describe('cancel (#11)', () => {
  test('only the requester withdraws a pending request; someone else is refused and nothing changes', () => {
    const before = pendingRequest();
    let error: unknown;
    try {
      transition(before, { type: 'cancel', by: APPROVER, at: AT });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as UserFacingError).code).toBe('request.notRequester');
    // Nobody named to someone else: `status` does not show them the request either.
    expect((error as Error).message).toBe(
      `Only the person who made request ${before.id} can cancel it; nothing was changed.`,
    );
    const next = transition(before, {
      type: 'cancel',
      by: { ...REQUESTER, objectId: REQUESTER.objectId.toUpperCase() },
      at: AT,
    });
    expect(next.state).toBe('cancelled');
    expect(describeState(next)).toBe('cancelled by the requester');
    expect(() => transition(next, EVENTS.approve)).toThrow(/already cancelled by the requester/);
  });

  test('someone else is refused as such whatever the state: neither the state nor who decided is told', () => {
    const approved = transition(pendingRequest(), EVENTS.approve);
    expect(() => transition(approved, { type: 'cancel', by: APPROVER, at: AT })).toThrow(
      expect.objectContaining({
        code: 'request.notRequester',
        message: expect.not.stringMatching(/approved|Approver/),
      }),
    );
    // Its requester is told the state, as before.
    expect(() => transition(approved, { type: 'cancel', by: REQUESTER, at: AT })).toThrow(
      expect.objectContaining({ code: 'request.alreadyDecided' }),
    );
  });
});

describe('isExpired (fake clock)', () => {
  const clock = new FakeClock('2025-01-15T09:00:00.000Z');
  const request = pendingRequest({ createdAt: clock.now().toISOString() }); // expires 24 h later

  test.each([
    ['at creation', 0, false],
    ['1 s before expiry', 24 * HOUR - SECOND, false],
    ['1 ms before expiry', 24 * HOUR - 1, false],
    ['exactly at expiry', 24 * HOUR, true],
    ['24 h + 1 s', 24 * HOUR + SECOND, true],
  ])('%s', (_name, offset, expired) => {
    clock.set('2025-01-15T09:00:00.000Z');
    expect(isExpired(request, clock.advance(offset))).toBe(expired);
  });

  test.each(STATES.filter((s) => s !== 'pending'))('a %s request is never "expired" by time', (state) => {
    clock.set('2030-01-01T00:00:00.000Z');
    expect(isExpired({ ...request, state }, clock.now())).toBe(false);
  });
});
