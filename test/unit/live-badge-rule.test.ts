/**
 * One order for a request's live overlays on its state badge (src/domain/live-badge.ts): "Being
 * revoked" > a drift ("Removed outside acrbot", "No longer gives pull") > "Expired" (past its end,
 * waiting for its end job) > "Cluster gone" > the stored state. The rule is checked on every pair
 * of overlays held together, then each place that draws a badge — the request card and `status`'s
 * list (stateLabelOf), `access` alone, the tab's row as the page badges it (rowBadge, shownState:
 * its list, State filter and CSV `badge` column) — on one grant holding each pair, so none can
 * order them otherwise.
 */
import {
  LIVE_OVERLAY_ORDER,
  liveBadge,
  liveBadgeKind,
  type LiveBadgeFacts,
  type LiveOverlay,
} from '../../src/domain/live-badge';
import { BEING_REVOKED_LABEL, CLUSTER_GONE_LABEL, DRIFT_LABEL } from '../../src/domain/live-drift';
import type { AccessRequest } from '../../src/domain/request';
import { requestRow } from '../../src/tab/tab-rows';
import { userAccessCard } from '../../src/views/access-view';
import { stateLabelOf } from '../../src/views/request-view';
import { rowBadge, shownState } from '../../web/src/format';
import { accessRowOf, oneGrantReport } from './support/access-row';
import { ENDS, granted, NOW } from './support/reminder-lifecycle';

/** The order, written out: the rule's own list must not drift from it either. */
const ORDER: readonly LiveOverlay[] = ['beingRevoked', 'drift', 'expired', 'clusterGone'];

/** Every pair of overlays, the one that wins first. */
const PAIRS: Array<[LiveOverlay, LiveOverlay]> = ORDER.flatMap((first, i) =>
  ORDER.slice(i + 1).map((second): [LiveOverlay, LiveOverlay] => [first, second]),
);

describe('the rule', () => {
  test('its order', () => {
    expect(LIVE_OVERLAY_ORDER).toEqual(ORDER);
    expect(PAIRS).toHaveLength(6);
  });

  test('none: the stored state; each alone: itself', () => {
    expect(liveBadgeKind({})).toBe('state');
    expect(liveBadgeKind({ beingRevoked: false, drift: false, expired: false, clusterGone: false })).toBe('state');
    for (const overlay of ORDER) expect(liveBadgeKind({ [overlay]: true })).toBe(overlay);
  });

  test.each(PAIRS)('%s wins over %s', (first, second) => {
    const facts: LiveBadgeFacts = { [first]: true, [second]: true };
    expect(liveBadgeKind(facts)).toBe(first);
    // With every later overlay too.
    const later = Object.fromEntries(ORDER.slice(ORDER.indexOf(first)).map((o) => [o, true]));
    expect(liveBadgeKind(later)).toBe(first);
  });

  test.each(PAIRS)('liveBadge draws %s over %s, and the state with none', (first, second) => {
    expect(liveBadge({ [first]: `badge ${first}`, [second]: `badge ${second}` }, 'state')).toBe(`badge ${first}`);
    expect(liveBadge({ [second]: `badge ${second}` }, 'state')).toBe(`badge ${second}`);
    expect(liveBadge({}, 'state')).toBe('state');
  });
});

describe('every place orders one grant holding two overlays alike', () => {
  const now = new Date(NOW);
  const past = new Date(Date.parse(ENDS) + 60_000);
  const GONE = '2025-02-11T08:00:00.000Z';
  const SEEN = '2025-02-10T08:00:00.000Z';
  const OVERLAY: Record<LiveOverlay, Partial<NonNullable<AccessRequest['access']>>> = {
    beingRevoked: { revokingSince: NOW },
    drift: { driftDetectedAt: SEEN, driftReason: 'deleted' },
    expired: {},
    clusterGone: { clusterGoneAt: GONE },
  };
  const LABEL: Record<LiveOverlay, string> = {
    beingRevoked: BEING_REVOKED_LABEL,
    drift: DRIFT_LABEL.removed,
    expired: 'Expired',
    clusterGone: CLUSTER_GONE_LABEL,
  };
  const holding = (overlays: LiveOverlay[]): AccessRequest =>
    ({
      ...granted,
      access: { ...granted.access!, ...Object.assign({}, ...overlays.map((o) => OVERLAY[o])) },
    }) as AccessRequest;

  test.each(PAIRS)('%s over %s: the card, `status`, `access` and the tab', (first, second) => {
    const request = holding([first, second]);
    // "Expired" is an end passed: read after it.
    const at = first === 'expired' || second === 'expired' ? past : now;
    const label = LABEL[first];
    expect(stateLabelOf(request, at).label).toBe(label);
    expect(accessRowOf(request, at).stateLabel).toBe(label);
    const row = requestRow(request, at);
    expect(rowBadge(row).label).toBe(label);
    // The State filter offers what the badge says: never the overlay that lost.
    if (second === 'clusterGone') expect(shownState(row)).not.toBe('clusterGone');
  });
});

describe("`access`'s row orders what its reference holds by the rule too", () => {
  // requestRef never sets clusterGoneAt on a drifted reference (cluster-gone.ts liveClusterGoneAt),
  // but `access`'s row once read "Cluster gone" first and a drift after, the other places a drift
  // first: it now orders them as they do, whatever its reference holds.
  test('a drift over its cluster gone', () => {
    const now = new Date(NOW);
    const request = {
      ...granted,
      access: { ...granted.access!, driftDetectedAt: '2025-02-10T08:00:00.000Z', driftReason: 'deleted' },
    } as AccessRequest;
    const report = oneGrantReport(request, now);
    const entry = report.entries[0]!;
    const both = { ...report, entries: [{ ...entry, request: { ...entry.request, clusterGoneAt: NOW } }] };
    const text = JSON.stringify(userAccessCard(both, false));
    expect(text).toContain(DRIFT_LABEL.removed);
    expect(text).not.toContain(CLUSTER_GONE_LABEL);
  });
});
