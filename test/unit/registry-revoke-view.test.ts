/**
 * The confirmation card of `revoke registry NAME` (registry-revoke-view.ts): its golden file, as
 * the pair's card has one; each step names its request's cluster and the text names the
 * clusters (ten at most, the rest counted); another tenant's requests counted, never named; a
 * read cut at its cap said so; the button's fingerprint marked as a registry's; user text inert;
 * and at the most requests a card carries it stays under Teams' card size.
 */
import type { AccessRequest } from '../../src/domain/request';
import { fingerprintScope, revocationFingerprint } from '../../src/domain/revocation-fingerprint';
import { PAIR_REVOKE_LIMIT } from '../../src/flows/revocation-preview';
import { PAIR_STEPS_SHOWN, revokePairConfirmCard } from '../../src/views/lifecycle-view';
import { revokeRegistryConfirmCard } from '../../src/views/registry-revoke-view';
import { expectGolden } from './support/golden';
import { APPROVER, CLUSTER_ID, grantPlan, pendingRequest, secretPlan } from './support/requests';

const DAY_MS = 86_400_000;
/** Teams asks for cards under 28 KB; measured as the UTF-8 bytes of the JSON sent. */
const TEAMS_CARD_BYTES = 28_000;
const deleteLine = {
  what: 'role assignment',
  target: 'AcrPull for kubelet identity on contosoacr',
  action: 'delete' as const,
};

function active(id: string, cluster: string, overrides: Partial<AccessRequest> = {}): AccessRequest {
  const plan = grantPlan();
  return pendingRequest({
    id,
    plan: { ...plan, cluster: { ...plan.cluster, id: CLUSTER_ID.replace('aks-prod', cluster), name: cluster } },
    state: 'succeeded',
    version: 4,
    decision: { by: APPROVER, at: '2025-01-14T10:00:00.000Z', approved: true },
    updatedAt: '2025-01-14T10:00:05.000Z',
    access: { durationMs: 30 * DAY_MS, expiresAt: '2025-02-13T10:00:00.000Z' },
    ...overrides,
  });
}

const onProd = active('R-7K2M9QXA', 'aks-prod');
const onDev = active('R-8M3N4PQB', 'aks-dev', {
  plan: { ...secretPlan(), cluster: { ...secretPlan().cluster, name: 'aks-dev' } },
});
const both = [
  { request: onProd, lines: [deleteLine] },
  {
    request: onDev,
    lines: [{ what: 'Kubernetes secret', target: 'payments/acr-auth in aks-dev', action: 'delete' as const }],
  },
];
const text = (card: object) => JSON.stringify(card);

test('golden: two clusters, one request left to another rule, one of another tenant, one waiting', () => {
  expectGolden(
    'lifecycle-revoke-registry-confirm',
    revokeRegistryConfirmCard(
      {
        registry: 'contosoacr',
        sandbox: true,
        reason: 'incident 42',
        otherTenants: 1,
        leftOut: '1 more is under rule prod-two, whose approvers (or the requester) can revoke it.',
        waiting:
          'Not revoked, not run yet: R-PEND1NG2 (Riley Requester, waiting for approval). Reject a pending one ("@acrbot pending R-PEND1NG2" offers Reject) or ask its requester to cancel it.',
      },
      both,
    ),
  );
});

test('the clusters are named, each step says its cluster, another tenant is counted, the button is a registry card’s', () => {
  const card = revokeRegistryConfirmCard({ registry: 'contosoacr', sandbox: true, otherTenants: 2 }, both);
  const json = text(card);
  expect(json).toContain('Revoke 2 acrbot requests on contosoacr, from 2 clusters?');
  expect(json).toContain(
    'The active acrbot requests below, which you may revoke, end now. They are on aks-prod (1), aks-dev (1).',
  );
  expect(json).toContain('R-7K2M9QXA on aks-prod (Riley Requester): delete role assignment');
  expect(json).toContain('R-8M3N4PQB on aks-dev (Riley Requester): delete Kubernetes secret');
  expect(json).toContain(
    '2 more active acrbot requests on it are of another organisation (tenant): not listed, and not revoked from here.',
  );
  expect(json).not.toContain('there may be more');
  const action = (card as any).actions[0];
  expect(action.data.requestId).toBe('R-7K2M9QXA,R-8M3N4PQB');
  expect(fingerprintScope(action.data.version)).toBe('registry');
  expect(action.data.version).toBe(revocationFingerprint(both, 'registry'));
  // The same list on a pair's card is another card: a click on one is never taken for the other.
  const pair = revokePairConfirmCard({ cluster: 'aks-prod', registry: 'contosoacr', sandbox: true }, both) as any;
  expect(fingerprintScope(pair.actions[0].data.version)).toBe('pair');
  expect(pair.actions[0].data.version).not.toBe(action.data.version);
});

test('the reason and a requester’s name are inert', () => {
  const hostile = 'see [the runbook](https://evil.example/x) <at>Everyone</at>';
  const card = revokeRegistryConfirmCard({ registry: 'contosoacr', sandbox: true, reason: hostile, otherTenants: 0 }, [
    { request: { ...onProd, requester: { objectId: 'x', name: hostile } }, lines: [deleteLine] },
  ]);
  const json = JSON.stringify((card as any).body);
  expect(json).toContain('evil.example/x');
  expect(json).not.toContain('https://evil');
  expect(json).not.toContain('<at>');
});

test(`${PAIR_REVOKE_LIMIT} requests on 15 clusters, a read cut at its cap: under 28 KB, ten clusters named, steps bounded`, () => {
  const many = Array.from({ length: PAIR_REVOKE_LIMIT }, (_, i) => ({
    request: active(
      `R-MANY${String(i).padStart(4, '2').replace(/[01]/g, '3')}`,
      `aks-cluster-${'x'.repeat(40)}-${i % 15}`,
      {
        requester: { objectId: `0000000${i}`, name: `A Rather Long Display Name Of Requester ${'\u4e2d'.repeat(80)}` },
      },
    ),
    lines: [deleteLine, { ...deleteLine, action: 'keep' as const, why: 'x'.repeat(300) }],
  }));
  const card = revokeRegistryConfirmCard(
    {
      registry: 'contosoacr',
      sandbox: true,
      reason: '\u4e8b\u6545'.repeat(250),
      otherTenants: 3,
      beyond:
        '40 more that you may revoke are not on this card, which carries at most 200: once these are revoked, ask again.',
      cut: 'acrbot read only the first 2000 requests on contosoacr (the oldest); there may be more, yours among them, that this answer does not count: revoke them per cluster ("@acrbot revoke CLUSTER contosoacr") or one at a time ("@acrbot revoke REQUEST-ID").',
      leftOut: '7 more are under rules a, b, whose approvers (or the requester) can revoke them.',
    },
    many,
  ) as any;
  expect(Buffer.byteLength(JSON.stringify(card), 'utf8')).toBeLessThan(TEAMS_CARD_BYTES);
  const json = JSON.stringify(card);
  expect(json).toContain(`from 15 clusters?`);
  expect(json).toContain('and 5 more clusters.');
  expect(json).toContain('40 more that you may revoke are not on this card');
  expect(json).toContain('acrbot read only the first 2000 requests on contosoacr (the oldest)');
  // The steps' container (the title and warnings have warning-styled ones).
  const steps = card.body
    .find((b: any) => b.type === 'Container' && !b.style)
    .items.map((i: { text: string }) => i.text);
  expect(steps.length).toBeLessThanOrEqual(PAIR_STEPS_SHOWN + 1);
  expect(steps[steps.length - 1]).toMatch(/…and \d+ more steps \(of \d+ more requests\) not listed here/);
  // On a phone the summary and the button come first: the steps wait behind a button that counts
  // every one the click carries out, not only those listed.
  expect(card.body.find((b: any) => b.id === 'steps').isVisible).toBe(false);
  expect(json).toContain(`"title":"Show or hide the ${PAIR_REVOKE_LIMIT * 2} steps"`);
  expect(card.actions[0].data.requestId.split(',')).toHaveLength(PAIR_REVOKE_LIMIT);
});

const CUT =
  'acrbot read only the first 2000 requests on contosoacr (the oldest); there may be more, yours among them, that this answer does not count.';
const BEYOND =
  '40 more that you may revoke are not on this card, which carries at most 200: once these are revoked, ask again.';
/**
 * The card's text blocks in order (title first), with their colour; one on a warning-styled
 * background (lifecycle.json: Warning text is unreadable on white) reads as Warning.
 */
const blocks = (card: any): Array<{ text: string; color?: string }> =>
  card.body
    .map((b: any) => (b.type === 'Container' && b.style === 'warning' ? { ...b.items[0], color: 'Warning' } : b))
    .filter((b: any) => b.type === 'TextBlock' && b.text !== 'SANDBOX');

describe('"Every … ends now" only when the click ends every active request there', () => {
  const registry = (over: object) =>
    blocks(revokeRegistryConfirmCard({ registry: 'contosoacr', sandbox: true, otherTenants: 0, ...over }, both))[1]
      .text;
  const pair = (over: object) =>
    blocks(revokePairConfirmCard({ cluster: 'aks-prod', registry: 'contosoacr', sandbox: true, ...over }, both))[1]
      .text;

  test('a registry: every one ends', () => {
    expect(registry({})).toBe(
      'Every active acrbot request on this registry, from every cluster, ends now. They are on aks-prod (1), aks-dev (1).',
    );
  });

  test.each([
    ['another tenant’s stay', { otherTenants: 2 }],
    ['more than one card carries', { beyond: BEYOND }],
    ['a read cut at its cap', { cut: CUT }],
    ['another rule’s', { leftOut: '1 more is under rule prod-two.' }],
  ])('a registry, %s: only those below', (_, over) => {
    expect(registry(over)).toMatch(/^The active acrbot requests below, which you may revoke, end now\. They are on /);
  });

  test('a pair: every one ends, unless some are beyond the card, the read was cut or another rule’s stay', () => {
    expect(pair({})).toBe('Every active acrbot request on this pair ends now.');
    for (const over of [{ beyond: BEYOND }, { cut: CUT }, { leftOut: '1 more is under rule prod-two.' }])
      expect(pair(over)).toBe('The active acrbot requests below, which you may revoke, end now.');
  });
});

test('each note is its own block: clusters with the opening, then beyond and cut in Warning, then the rest', () => {
  const card = revokeRegistryConfirmCard(
    {
      registry: 'contosoacr',
      sandbox: true,
      reason: 'incident 42',
      otherTenants: 1,
      beyond: BEYOND,
      cut: CUT,
      leftOut: '1 more is under rule prod-two, whose approvers (or the requester) can revoke it.',
      waiting: 'Not revoked, not run yet: R-PEND1NG2 (Riley Requester, waiting for approval).',
    },
    both,
  );
  expect(blocks(card).map((b) => [b.text.slice(0, 40), b.color ?? ''])).toEqual([
    ['Revoke 2 acrbot requests on contosoacr, ', 'Warning'],
    ['The active acrbot requests below, which ', ''],
    [BEYOND.slice(0, 40), 'Warning'],
    [CUT.slice(0, 40), 'Warning'],
    ['1 more is under rule prod-two, whose app', 'Default'],
    ['1 more active acrbot request on it is of', 'Default'],
    ['The steps are as of now: a role assignme', 'Default'],
    ['Not revoked, not run yet: R-PEND1NG2 (Ri', 'Default'],
  ]);
  // Drawn again by a click on an older copy: said first among the warnings, apart from the opening.
  const changed = revokeRegistryConfirmCard(
    { registry: 'contosoacr', sandbox: true, otherTenants: 0, changed: true, cut: CUT },
    both,
  );
  expect(
    blocks(changed)
      .map((b) => [b.text.slice(0, 40), b.color ?? ''])
      .slice(1, 4),
  ).toEqual([
    ['The active acrbot requests below, which ', ''],
    ['This changed since the card was drawn; r', 'Warning'],
    [CUT.slice(0, 40), 'Warning'],
  ]);
  // The clusters are said of the listed requests, before any other count ("They" are those below).
  expect(blocks(card)[1].text).toBe(
    'The active acrbot requests below, which you may revoke, end now (reason: "incident 42"). They are on aks-prod (1), aks-dev (1).',
  );
});

test('titles count requests (a pull secret is one), singular and plural', () => {
  const one = [both[1]];
  expect(
    blocks(revokeRegistryConfirmCard({ registry: 'contosoacr', sandbox: true, otherTenants: 0 }, one))[0].text,
  ).toBe('Revoke 1 acrbot request on contosoacr, from 1 cluster?');
  expect(
    blocks(revokePairConfirmCard({ cluster: 'aks-dev', registry: 'contosoacr', sandbox: true }, one))[0].text,
  ).toBe('Revoke 1 acrbot request of aks-dev on contosoacr?');
  expect(
    blocks(revokePairConfirmCard({ cluster: 'aks-dev', registry: 'contosoacr', sandbox: true }, both))[0].text,
  ).toBe('Revoke 2 acrbot requests of aks-dev on contosoacr?');
});
