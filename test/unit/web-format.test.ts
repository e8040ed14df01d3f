/**
 * The tab's words for rows without a request of the caller's: a role assignment acrbot made for
 * another tenant's request is not "outside acrbot" (tab-rows.ts hides that request, not its origin).
 */
import {
  askedBy,
  askedByKey,
  chatCommandFor,
  chatLinkText,
  decisionFacts,
  endedFacts,
  endFact,
  endText,
  expiryKey,
  extendInChatHint,
  extendTerms,
  extensionWaitingNote,
  howAndWho,
  howShort,
  noExtendTermNote,
  noHistoryNote,
  offeredTerms,
  pausedBanner,
  pauseUnreadableBanner,
  placeLabelsOf,
  relative,
  rowBadge,
  rowTitle,
  termEnd,
  whatShort,
} from '../../web/src/format';
import type { History, Me, Row } from '../../web/src/types';

const base: Row = {
  key: 'k',
  kind: 'grant',
  how: 'acrbot-role',
  howText: 'AcrPull role on the registry by acrbot',
  state: 'active',
  cluster: { id: '/c', name: 'aks-a', subscriptionId: 's' },
  registry: { id: '/r', name: 'acr-a' },
  approvers: [],
};

/** The signed-in caller: `objectId`, an approver or not. */
function meAs(objectId: string, approver: boolean): Me {
  return {
    user: { objectId, name: objectId, tenantId: 't' },
    roles: { approver, auditor: false },
    sees: 'all',
    actions: { extend: true, revoke: true },
    paused: null,
    botAppId: 'b',
    now: '2026-12-01T00:00:00Z',
  };
}

describe('rows without a request the caller may see', () => {
  test("an acrbot assignment for another tenant's request says so, not 'outside acrbot'", () => {
    expect(askedBy(base)).toBe('another tenant');
    expect(askedByKey(base)).toBe('another-tenant');
    expect(noHistoryNote(base)).toMatch(/^Granted by acrbot for another tenant's request/);
  });

  test('an assignment made outside acrbot says there is no request', () => {
    const outside: Row = { ...base, kind: 'outside', how: 'outside-role' };
    expect(askedBy(outside)).toBe('outside acrbot');
    expect(askedByKey(outside)).toBe('outside');
    expect(noHistoryNote(outside)).toBe('Granted outside acrbot: no request, approval or audit entry exists.');
  });

  test('a row with its requester names them', () => {
    expect(askedBy({ ...base, requestId: 'r-1', requester: { objectId: 'u', name: 'Ada' } })).toBe('Ada');
  });
});

describe('when a row ends', () => {
  const now = Date.parse('2026-12-01T00:00:00Z');
  test('live: its end, relative to now; none without one', () => {
    expect(endText({ ...base, expiresAt: '2026-12-04T00:00:00Z' }, now)).toBe(
      'Access ends 2026-12-04 00:00 UTC (in 3 days)',
    );
    expect(endText(base, now)).toBeUndefined();
  });
  test('once a revocation began, since when, whatever its end date says', () => {
    const row = { ...base, expiresAt: '2026-12-04T00:00:00Z', revokingSince: '2026-11-30T22:00:00Z' };
    expect(endFact(row, now)).toEqual(['Being revoked', 'since 2026-11-30 22:00 UTC, until it is done']);
    expect(endText(row, now)).toBe('Being revoked since 2026-11-30 22:00 UTC, until it is done');
  });
  test('ended: when, not the end it once had (a revoked grant does not "end in 30 days")', () => {
    const revoked: Row = {
      ...base,
      state: 'revoked',
      expiresAt: '2026-12-31T00:00:00Z',
      endedAt: '2026-11-30T10:00:00Z',
    };
    expect(endText(revoked, now)).toBe('Access ended 2026-11-30 10:00 UTC');
    expect(endText({ ...revoked, state: 'expired' }, now)).toBe('Access ended 2026-11-30 10:00 UTC');
  });
  test('past its end but not revoked yet: the end, and that acrbot is revoking it', () => {
    expect(endText({ ...base, state: 'expired', expiresAt: '2026-11-30T00:00:00Z' }, now)).toBe(
      'Access ends 2026-11-30 00:00 UTC (passed; acrbot is revoking it)',
    );
  });
  test('drifted (changed or removed outside acrbot): its end still applies', () => {
    expect(endText({ ...base, state: 'drifted', expiresAt: '2026-12-31T00:00:00Z' }, now)).toBe(
      'Access ends 2026-12-31 00:00 UTC (in 30 days)',
    );
  });
});

describe('the terms offered to extend', () => {
  const now = Date.parse('2026-12-01T00:00:00Z');
  test('only those that end after the current end (a term counts from approval)', () => {
    expect(extendTerms('2026-12-30T00:00:00Z', now).map((t) => t.value)).toEqual(['30d', '90d']);
    // Exactly at the end changes nothing either.
    expect(extendTerms('2026-12-31T00:00:00Z', now).map((t) => t.value)).toEqual(['90d']);
    // A day later, or half the term for short ones: 1 day would move an end 14 hours away by 10 hours only.
    expect(extendTerms('2026-12-01T14:00:00Z', now)).toEqual([
      { value: '7d', label: '7 days (until about 2026-12-08 00:00 UTC)' },
      { value: '30d', label: '30 days (until about 2026-12-31 00:00 UTC)' },
      { value: '90d', label: '90 days (until about 2027-03-01 00:00 UTC)' },
    ]);
    expect(extendTerms(undefined, now)[0]).toEqual({ value: '1d', label: '1 day (until about 2026-12-02 00:00 UTC)' });
    expect(extendTerms('2027-06-01T00:00:00Z', now)).toEqual([]);
  });

  test("within the API's limits, with the longest allowed offered when it falls between the usual terms", () => {
    const day = 86_400_000;
    // A rule of at most 14 days: 30d and 90d would be refused; 14 days is offered instead.
    expect(extendTerms('2026-12-02T00:00:00Z', now, { minMs: 3_600_000, maxMs: 14 * day })).toEqual([
      { value: '7d', label: '7 days (until about 2026-12-08 00:00 UTC)' },
      { value: '14d', label: '14 days, the longest allowed (until about 2026-12-15 00:00 UTC)' },
    ]);
    // In hours when not whole days; a minimum above a day drops 1d.
    expect(extendTerms(undefined, now, { minMs: 25 * 3_600_000, maxMs: 36 * 3_600_000 })).toEqual([
      { value: '36h', label: '36 hours, the longest allowed (until about 2026-12-02 12:00 UTC)' },
    ]);
    // A longest that is one of the usual terms, or beyond them, adds nothing.
    expect(extendTerms(undefined, now, { minMs: 0, maxMs: 30 * day }).map((t) => t.value)).toEqual(['1d', '7d', '30d']);
    expect(extendTerms(undefined, now, { minMs: 0, maxMs: 365 * day }).map((t) => t.value)).toEqual([
      '1d',
      '7d',
      '30d',
      '90d',
    ]);
  });

  test('with no term offered, says whether chat could ask a longer one', () => {
    const day = 86_400_000;
    const row = { expiresAt: '2026-12-20T00:00:00Z' };
    expect(noExtendTermNote({ ...row, extendRange: { minMs: 0, maxMs: 7 * day } }, now)).toEqual({
      text: 'It already runs until 2026-12-20 00:00 UTC, and the longest term allowed, 7 days from when it is granted, would not end later; ask nearer its end.',
      chat: false,
    });
    expect(noExtendTermNote({ expiresAt: '2027-06-01T00:00:00Z' }, now).chat).toBe(true);
    // The longest allowed would end later, by little: chat may still ask for it.
    expect(noExtendTermNote({ ...row, extendRange: { minMs: 0, maxMs: 19 * day + 6 * 3_600_000 } }, now)).toEqual({
      text: 'It already runs until 2026-12-20 00:00 UTC, and the longest term allowed, 462 hours from when it is granted, would move its end by only 6 hours. To ask for it anyway, say in chat: ',
      chat: true,
      chatTerm: '462h',
    });
  });

  test('the end of each term is told with its time and zone, not as a date the user reads in their own', () => {
    // 10:00 on 5 December in Sydney is 23:00 UTC on the 4th: "until about 2026-12-05" for a day
    // from then would read as today there.
    const sydneyMorning = Date.parse('2026-12-04T23:00:00Z');
    expect(extendTerms('2026-12-04T23:30:00Z', sydneyMorning, { minMs: 3_600_000, maxMs: 90 * 86_400_000 })[0]).toEqual(
      {
        value: '1d',
        label: '1 day (until about 2026-12-05 23:00 UTC)',
      },
    );
  });

  test('a limit of a day or less still offers its term when it moves the end by half of it', () => {
    const hour = 3_600_000;
    const cap = { minMs: hour, maxMs: 24 * hour };
    // Ends in 2 hours: a day from approval moves it 22 hours later.
    expect(extendTerms('2026-12-01T02:00:00Z', now, cap).map((t) => t.value)).toEqual(['1d']);
    // Ends in 20 hours: a day would move it by 4 hours only.
    expect(extendTerms('2026-12-01T20:00:00Z', now, cap)).toEqual([]);
    expect(extendTerms('2026-12-01T02:00:00Z', now, { minMs: hour, maxMs: 8 * hour })).toEqual([
      { value: '8h', label: '8 hours, the longest allowed (until about 2026-12-01 08:00 UTC)' },
    ]);
  });
});

describe('a pull secret whose credential expires before its term', () => {
  const now = Date.parse('2026-12-01T00:00:00Z');
  const day = 86_400_000;
  // The credential expires in 3 days; the term runs until 2026-12-20 (an extension must end after that).
  const secret: Row = {
    ...base,
    kind: 'secret',
    how: 'pull-secret',
    expiresAt: '2026-12-04T00:00:00Z',
    credentialEnds: true,
    termEndsAt: '2026-12-20T00:00:00Z',
  };
  test("its extension is measured against the term's end, not the credential's expiry", () => {
    expect(termEnd(secret)).toBe('2026-12-20T00:00:00Z');
    expect(termEnd({ ...base, expiresAt: '2026-12-04T00:00:00Z' })).toBe('2026-12-04T00:00:00Z');
    expect(termEnd({ ...secret, termEndsAt: undefined })).toBeUndefined();
    const offered = offeredTerms(secret, now).map((t) => t.value);
    // 1 day and 7 days would end before the term does: refused by the server (extend.notLater).
    expect(offered).toEqual(['30d', '90d']);
    // The rule's limits still apply: a rule of at most 14 days offers 14 days (ends 2026-12-15) no more.
    expect(offeredTerms({ ...secret, extendRange: { minMs: 0, maxMs: 14 * day } }, now)).toEqual([]);
    expect(
      offeredTerms({ ...secret, credentialEnds: undefined, termEndsAt: undefined }, now).map((t) => t.value),
    ).toEqual(['7d', '30d', '90d']);
    for (const value of offered)
      expect(now + Number.parseInt(value) * day).toBeGreaterThan(Date.parse(secret.termEndsAt!));
  });
  test('its credential expired while the term runs on: "until it is extended" (the request stays active)', () => {
    // The inventory's end is the credential's, so a lapsed credential alone reads "expired" too.
    const lapsed: Row = { ...secret, state: 'expired', requestState: 'succeeded' };
    expect(endFact(lapsed, Date.parse('2026-12-05T00:00:00Z'))).toEqual([
      'Credential expired',
      '2026-12-04 00:00 UTC: pulls with the secret fail until it is extended (a new credential) or asked for again',
    ]);
  });
  test('its term passed as well (revocation pending, no Extend offered): the term ended, acrbot is revoking it', () => {
    const over: Row = { ...secret, state: 'expired', requestState: 'succeeded' };
    expect(endText(over, Date.parse('2026-12-21T00:00:00Z'))).toBe(
      'Access ends 2026-12-20 00:00 UTC (passed; acrbot is revoking it)',
    );
    // A request that no longer gives access (revoked, its end not recorded) is not told to extend either.
    for (const gone of [
      { ...secret, state: 'revoked', requestState: 'revoked' },
      { ...secret, state: 'expired', requestState: 'revoked' },
    ] satisfies Row[])
      expect(endFact(gone, Date.parse('2026-12-05T00:00:00Z'))[0]).not.toMatch(/^Credential/);
  });
  test("with no term offered, the note names the term's end", () => {
    expect(noExtendTermNote({ ...secret, extendRange: { minMs: 0, maxMs: 7 * day } }, now)).toEqual({
      text: 'It already runs until 2026-12-20 00:00 UTC, and the longest term allowed, 7 days from when it is granted, would not end later; ask nearer its end.',
      chat: false,
    });
    // 25 days would move the term's end by 6 days (the credential's by 22).
    expect(noExtendTermNote({ ...secret, extendRange: { minMs: 0, maxMs: 25 * day } }, now).text).toContain(
      'would move its end by only 6 days',
    );
  });
});

describe('how long until, or since', () => {
  const now = Date.parse('2026-12-01T00:00:00Z');
  const at = (ms: number) => new Date(now + ms).toISOString();
  const hour = 3_600_000;
  test('time left is never overstated: 36 hours is not "in 2 days"', () => {
    expect(relative(at(36 * hour), now)).toBe('in 36 hours');
    expect(relative(at(47 * hour + 59 * 60_000), now)).toBe('in 47 hours');
    expect(relative(at(48 * hour), now)).toBe('in 2 days');
    expect(relative(at(3 * 24 * hour - 1), now)).toBe('in 3 days');
    expect(relative(at(3 * 24 * hour - 2 * 60_000), now)).toBe('in 2 days');
    expect(relative(at(90 * 60_000), now)).toBe('in 1 hour');
    expect(relative(at(59 * 60_000 + 1), now)).toBe('in 1 hour');
    expect(relative(at(30 * 60_000), now)).toBe('in 30 minutes');
    expect(relative(at(1_000), now)).toBe('in 1 minute');
  });
  // The same list, the same words, as the reminder cards' titles (cards.test.ts).
  test('36 hours, 60 hours, 84 hours and a second under 36 hours, as the reminder cards say them', () => {
    const left = [36 * hour, 60 * hour, 84 * hour, 36 * hour - 1_000, 24 * hour, 90 * 60_000, 30_000];
    expect(left.map((ms) => relative(at(ms), now))).toEqual([
      'in 36 hours',
      'in 2 days',
      'in 3 days',
      'in 36 hours',
      'in 24 hours',
      'in 1 hour',
      'in 1 minute',
    ]);
  });
  test('a 30-day grant a few seconds old still ends "in 30 days" (times are shown to the minute)', () => {
    expect(relative(at(30 * 24 * hour - 5_000), now)).toBe('in 30 days');
  });
  test('time past, to the nearest unit', () => {
    expect(relative(at(-36 * hour), now)).toBe('2 days ago');
    expect(relative(at(-90 * 60_000), now)).toBe('2 hours ago');
    expect(relative(at(-10_000), now)).toBe('1 minute ago');
    expect(relative(undefined, now)).toBe('no end date');
  });
});

describe('an open extension in the drawer', () => {
  const me = meAs;
  const row: Row = {
    ...base,
    requestId: 'R-1',
    requester: { objectId: 'riley', name: 'Riley' },
    extensionWaiting: 'R-2',
  };
  test('tells its requester why no second one is offered, and an approver of its rule where to decide it', () => {
    expect(extensionWaitingNote(row, me('riley', false))).toBe(
      'Its extension R-2 is waiting for an approver; another can be asked once that one is decided or cancelled.',
    );
    expect(extensionWaitingNote({ ...row, decidesExtension: true }, me('alex', true))).toBe(
      '\u2068Riley\u2069 asked to extend it: R-2 waits for an approver\'s decision in chat ("pending R-2" shows it with Approve and Reject).',
    );
    // An approver under another rule only, or an auditor: chat refuses them `pending` and `status` of it.
    for (const who of [me('alex', true), me('auditor', false)])
      expect(extensionWaitingNote(row, who)).toBe(
        '\u2068Riley\u2069 asked to extend it: R-2 waits for a decision by the approvers of its rule.',
      );
    expect(extensionWaitingNote({ ...row, extensionWaiting: undefined }, me('riley', false))).toBeUndefined();
  });
});

describe('places with the same name', () => {
  const shared = (n: string): Row => ({
    ...base,
    key: n,
    registry: {
      id: `/subscriptions/${n}/registries/sharedacr`,
      name: 'sharedacr',
      loginServer: `sharedacr${n}.azurecr.io`,
    },
  });
  test('are told apart in row titles by login server; one place listed twice is not a repeat', () => {
    const labels = placeLabelsOf([shared('1'), shared('1'), shared('2')]);
    expect(rowTitle(shared('1'), labels)).toBe('aks-a → sharedacr (sharedacr1.azurecr.io)');
    expect(rowTitle(shared('2'), labels)).toBe('aks-a → sharedacr (sharedacr2.azurecr.io)');
    // The cluster appears in three rows but is one place.
    expect(labels.clusters.get('/c')).toBe('aks-a');
    expect(rowTitle(base, placeLabelsOf([base, shared('1')]))).toBe('aks-a → acr-a');
  });

  test('clusters of one name in two resource groups of one subscription are told apart by group', () => {
    const cluster = (rg: string) => ({
      id: `/subscriptions/1f0c0000-0000/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/aks`,
      name: 'aks',
      subscriptionId: '1f0c0000-0000',
    });
    const labels = placeLabelsOf([
      { ...base, cluster: cluster('rg-a') },
      { ...base, cluster: cluster('rg-b') },
    ]);
    expect([...labels.clusters.values()]).toEqual(['aks (rg-a, 1f0c0000)', 'aks (rg-b, 1f0c0000)']);
  });

  test('one place whose id two rows spell in other cases is one place, labelled for both', () => {
    const upper = { ...shared('1'), registry: { ...shared('1').registry, id: shared('1').registry.id.toUpperCase() } };
    const labels = placeLabelsOf([shared('1'), upper, shared('2')]);
    expect(labels.registries.size).toBe(2);
    expect(rowTitle(upper, labels)).toBe('aks-a → sharedacr (sharedacr1.azurecr.io)');
  });
});

describe('who decided', () => {
  const at = '2026-11-30T10:00:00Z';
  const hist = (over: Partial<History>): History => ({
    row: base,
    approvals: [],
    azureRequestIds: [],
    audit: [],
    ...over,
  });
  test('a rejection is under "Rejected by", not "Approvers"', () => {
    expect(decisionFacts(hist({ decision: { by: { objectId: 'a', name: 'Alex' }, at, approved: false } }))).toEqual([
      ['Had approved', undefined],
      ['Rejected by', '\u2068Alex\u2069 (2026-11-30 10:00 UTC)'],
    ]);
  });
  test('approvals, each; else the deciding approver', () => {
    expect(decisionFacts(hist({ decision: { by: { objectId: 'a', name: 'Alex' }, at, approved: true } }))[0]).toEqual([
      'Approvers',
      '\u2068Alex\u2069 (2026-11-30 10:00 UTC)',
    ]);
    const two = hist({
      approvals: [
        { by: { objectId: 'a', name: 'Alex' }, at },
        { by: { objectId: 's', name: 'Sam' }, at },
      ],
      decision: { by: { objectId: 'r', name: 'Rae' }, at, approved: false },
    });
    expect(decisionFacts({ ...two, decision: { ...two.decision!, approved: true } })[0]).toEqual([
      'Approvers',
      '\u2068Alex\u2069 (2026-11-30 10:00 UTC), \u2068Sam\u2069 (2026-11-30 10:00 UTC)',
    ]);
  });
  test('approvals that decided nothing are not "Approvers": a quorum rejected, or still short', () => {
    const alex = { by: { objectId: 'a', name: 'Alex' }, at };
    const rejected = hist({
      row: { ...base, state: 'rejected' },
      approvals: [alex],
      decision: { by: { objectId: 'r', name: 'Rae' }, at, approved: false },
    });
    expect(decisionFacts(rejected)).toEqual([
      ['Had approved', '\u2068Alex\u2069 (2026-11-30 10:00 UTC)'],
      ['Rejected by', '\u2068Rae\u2069 (2026-11-30 10:00 UTC)'],
    ]);
    expect(decisionFacts(hist({ row: { ...base, state: 'cancelled' }, approvals: [alex] }))[0]).toEqual([
      'Had approved',
      '\u2068Alex\u2069 (2026-11-30 10:00 UTC)',
    ]);
    expect(decisionFacts(hist({ row: { ...base, state: 'pending' }, approvals: [alex] }))[0]).toEqual([
      'Approved so far',
      '\u2068Alex\u2069 (2026-11-30 10:00 UTC)',
    ]);
  });
});

describe('a list line says how and who asked', () => {
  test('once: a role granted outside acrbot is not "outside acrbot" twice', () => {
    expect(howAndWho({ ...base, how: 'outside-role', kind: 'outside' })).toBe('Role (outside acrbot)');
    expect(howAndWho({ ...base, requester: { objectId: 'r', name: 'Riley' } })).toBe('Role (acrbot) · Riley');
  });
});

describe('the hint to extend in chat', () => {
  const mine: Row = {
    ...base,
    requestState: 'succeeded',
    expiresAt: '2026-12-20T00:00:00Z',
    requester: { objectId: 'me', name: 'Riley' },
  };
  test("shown on one's own live access the tab does not offer to extend", () => {
    expect(extendInChatHint(mine, 'me')).toBe(true);
    expect(extendInChatHint(mine, 'someone else')).toBe(false);
    expect(extendInChatHint({ ...mine, canExtend: true }, 'me')).toBe(false);
    expect(extendInChatHint({ ...mine, state: 'revoked', requestState: 'revoked' }, 'me')).toBe(false);
  });
  test('not once a revocation began (the extension would be refused), nor while one waits', () => {
    expect(extendInChatHint({ ...mine, revokingSince: '2026-11-30T22:00:00Z' }, 'me')).toBe(false);
    expect(extendInChatHint({ ...mine, extensionWaiting: 'R-BBBBBBBB' }, 'me')).toBe(false);
  });
  test('not on permanent access: there is nothing to extend (chat refuses it, extend.noExpiry)', () => {
    expect(extendInChatHint({ ...mine, expiresAt: undefined }, 'me')).toBe(false);
    // A permanent pull secret: its end is the credential's, and no term ends.
    const secret: Row = { ...mine, kind: 'secret', how: 'pull-secret', credentialEnds: true };
    expect(extendInChatHint(secret, 'me')).toBe(false);
    expect(extendInChatHint({ ...secret, termEndsAt: '2027-01-31T00:00:00Z' }, 'me')).toBe(true);
  });
});

describe('what a row is', () => {
  test('how it pulls; an extension, which request it extends', () => {
    expect(whatShort(base)).toBe('Role (acrbot)');
    expect(whatShort({ ...base, extendsRequestId: 'R-AAAAAAA1' })).toBe('Extension of R-AAAAAAA1');
  });
  test("a pending request: how it would pull, not granted yet, in the access card's words", () => {
    const pending: Row = { ...base, requestId: 'R-AAAAAAA1', state: 'pending', requestState: 'pending' };
    expect(whatShort(pending)).toBe('Role (acrbot), not granted yet');
    expect(whatShort({ ...pending, kind: 'secret', how: 'pull-secret' })).toBe('Pull secret, not granted yet');
    expect(howAndWho({ ...pending, requester: { objectId: 'r', name: 'Riley' } })).toBe(
      'Role (acrbot), not granted yet · Riley',
    );
    // Approved and being applied read pending too: still not granted.
    expect(whatShort({ ...pending, requestState: 'executing' })).toBe('Role (acrbot), not granted yet');
  });
});

describe("a row's badge", () => {
  const owed: Row = {
    ...base,
    requestId: 'R-BGLASS01',
    breakGlass: {
      by: { objectId: 'riley', name: 'Riley' },
      at: '2026-11-30T10:00:00Z',
      approval: 'break-glass: ran at once; Platform Approvers must review it',
      reviewDueAt: '2026-12-01T10:00:00Z',
    },
  };
  test('a break-glass run whose review is owed says so, not plain "Active"', () => {
    expect(rowBadge(owed)).toEqual({ label: 'Active, review owed', className: 'state-active review-owed' });
    expect(rowBadge({ ...owed, state: 'revoked' }).label).toBe('Revoked, review owed');
  });
  test('once reviewed (or owing none), its state alone', () => {
    const { reviewDueAt: _due, ...reviewed } = owed.breakGlass!;
    expect(rowBadge({ ...owed, breakGlass: reviewed })).toEqual({ label: 'Active', className: 'state-active' });
    expect(rowBadge(base).label).toBe('Active');
  });
});

describe('how access ended', () => {
  const hist = (ended?: History['ended']): History => ({
    row: base,
    approvals: [],
    azureRequestIds: [],
    audit: [],
    ended,
  });
  test('who revoked it and why; acrbot at its end; nothing while it lasts', () => {
    expect(
      endedFacts(hist({ at: '2026-11-30T10:00:00Z', by: { objectId: 'a', name: 'Alex' }, reason: 'leaked' })),
    ).toEqual([
      ['Revoked by', 'Alex'],
      ['Why', 'leaked'],
    ]);
    expect(endedFacts(hist({ at: '2026-11-30T10:00:00Z' }))[0]).toEqual(['Revoked by', 'acrbot, at its end']);
    expect(endedFacts(hist())).toEqual([]);
  });
});

describe("the drawer's chat link", () => {
  const me = (approver: boolean): Me => meAs('alex', approver);
  const pending: Row = {
    ...base,
    requestId: 'R-AAAAAAA1',
    state: 'pending',
    requester: { objectId: 'riley', name: 'Riley' },
  };
  // The server marks a row whose own rule the caller approves under (`mayDecide`).
  const decidable: Row = { ...pending, mayDecide: true };
  test("an approver of someone else's pending request, under its rule, gets the cards with Approve and Reject", () => {
    expect(chatCommandFor(decidable, me(true))).toBe('pending R-AAAAAAA1');
  });
  test('an approver under another rule only, or an auditor, gets its audit trail: chat refuses them `pending` and `status` of it', () => {
    expect(chatCommandFor(pending, me(true))).toBe('audit R-AAAAAAA1');
    expect(chatCommandFor({ ...pending, state: 'active' }, me(true))).toBe('audit R-AAAAAAA1');
    const auditor: Me = { ...me(false), roles: { approver: false, auditor: true } };
    expect(chatCommandFor({ ...pending, state: 'active' }, auditor)).toBe('audit R-AAAAAAA1');
    expect(chatLinkText(pending, me(true))).toBe('Open its audit trail in chat');
  });
  test("its requester, and its rule's approvers in every other state, get the request", () => {
    expect(chatCommandFor(pending, me(false))).toBe('status R-AAAAAAA1');
    expect(chatCommandFor({ ...decidable, requester: { objectId: 'alex', name: 'Alex' } }, me(true))).toBe(
      'status R-AAAAAAA1',
    );
    expect(chatCommandFor({ ...pending, requester: { objectId: 'alex', name: 'Alex' } }, me(true))).toBe(
      'status R-AAAAAAA1',
    );
    expect(chatCommandFor({ ...decidable, state: 'active' }, me(true))).toBe('status R-AAAAAAA1');
    expect(chatLinkText({ ...decidable, state: 'active' }, me(true))).toBe('Open the request in chat');
  });
});

describe('"Expiry (soonest first)"', () => {
  test('ending now (being revoked, or past its end), then soonest end, then no end, then ended', () => {
    const rows: Row[] = [
      { ...base, key: 'revoked', state: 'revoked', expiresAt: '2026-12-02T00:00:00Z', endedAt: '2026-11-30T00:00:00Z' },
      { ...base, key: 'later', expiresAt: '2026-12-20T00:00:00Z' },
      { ...base, key: 'no-end' },
      {
        ...base,
        key: 'revoking',
        state: 'revoking',
        expiresAt: '2026-12-31T00:00:00Z',
        revokingSince: '2026-11-30T12:00:00Z',
      },
      { ...base, key: 'sooner', state: 'expiring', expiresAt: '2026-12-03T00:00:00Z' },
      { ...base, key: 'past', state: 'expired', expiresAt: '2026-11-30T06:00:00Z' },
    ];
    const sorted = [...rows].sort((a, b) => expiryKey(a).localeCompare(expiryKey(b)));
    expect(sorted.map((r) => r.key)).toEqual(['past', 'revoking', 'sooner', 'later', 'no-end', 'revoked']);
  });
});

describe('the banner while new access is paused', () => {
  test('says since when and by whom, why when the API gives it (approvers and auditors), and what still goes on', () => {
    const since = '2026-12-01T10:00:00.000Z';
    expect(pausedBanner({ since, by: 'Alex Approver', reason: 'incident 42, investigating' })).toBe(
      'New access is paused since 2026-12-01 10:00 UTC by \u2068Alex Approver\u2069: "incident 42, investigating". Nothing can be requested, extended or approved until an approver resumes it. Revocations, scheduled ends, rejections and break-glass reviews go on.',
    );
    expect(pausedBanner({ since, by: 'Alex Approver' })).toBe(
      'New access is paused since 2026-12-01 10:00 UTC by \u2068Alex Approver\u2069. Nothing can be requested, extended or approved until an approver resumes it. Revocations, scheduled ends, rejections and break-glass reviews go on.',
    );
  });
});

describe('the banner when the pause of new access could not be read', () => {
  test('says what may be refused, that the rest is current, and the reference to give the platform team', () => {
    expect(pauseUnreadableBanner({ correlationId: 'c-123' })).toBe(
      'Whether new access is paused could not be read just now, so Extend may be refused; the rest of this page is current. If it stays, give the platform team reference c-123.',
    );
  });
});

describe('howShort', () => {
  test('"not granted yet" only on a pending request, never on an active grant with its request', () => {
    const active: Row = { ...base, requestId: 'R-AAAAAAA1', requestState: 'succeeded' };
    expect(howShort(active)).toBe('Role (acrbot)');
    const pending: Row = { ...active, state: 'pending', requestState: 'pending' };
    expect(howShort(pending)).toBe('Role (acrbot), not granted yet');
  });
});
