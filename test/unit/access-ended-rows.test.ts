/**
 * The "Access that ended" section of `access REGISTRY` and `access CLUSTER`: ended requests are
 * never purged, so the section shows each row's newest ends only, the rows newest end first, and
 * takes only the bytes the rows of now leave: history never costs the card (Teams refuses one over
 * CARD_MAX_BYTES) nor a live row.
 */
import type { AcrbotRequestRef, EndedGrantPath, InventoryRegistry, PullPath } from '../../src/domain/access-inventory';
import { cellOf } from '../../src/domain/access-inventory';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import { ENDED_HEADING, registryAccessCard } from '../../src/views/access-view';
import { CARD_MAX_BYTES, jsonBytes } from '../../src/views/message-view';
import {
  acrbotRole,
  ASSIGNMENTS,
  expiredPullSecret,
  inventoryCluster as cluster,
  requestRef as ref,
} from './support/inventory-fixtures';
import { grantPlan, REGISTRY_ID } from './support/requests';

const NOW = '2025-01-15T10:00:00.000Z';
const registry = grantPlan().registry as InventoryRegistry;
const role = (over: Partial<AcrbotRequestRef> = {}): PullPath => acrbotRole({ requests: [ref(over)] });
const revoked = (id: string, at: string, over: Partial<AcrbotRequestRef> = {}): EndedGrantPath => ({
  kind: 'endedGrant',
  assignmentId: `${ASSIGNMENTS}/${id}`,
  roleName: 'AcrPull',
  scope: REGISTRY_ID,
  request: ref({ requestId: id, state: 'revoked', revokedBy: 'Alex Approver', revokedAt: at, ...over }),
  state: 'revoked',
});
const expired = (id: string, at: string, over: Partial<AcrbotRequestRef> = {}): PullPath =>
  expiredPullSecret({ requestId: id, expiresAt: at, ...over });
const drifted = (id: string, at: string, over: Partial<AcrbotRequestRef> = {}): EndedGrantPath => ({
  ...revoked(id, at, over),
  state: 'drifted',
  request: ref({ requestId: id, state: 'drifted', driftReason: 'deleted', driftDetectedAt: at, ...over }),
});

interface ShownRow {
  heading: string;
  label: string;
  lines: string[];
}
type Item = { type: string; text?: string; items?: Item[]; columns?: Array<{ items: Item[] }> };

/** The card's ended rows as shown (heading, badge text, lines), and everything above them as text. */
function endedRows(card: AdaptiveCardJson): { now: string; ended: ShownRow[] } {
  const body = card.body as Item[];
  const section = body.find((b) => b.items?.[0]?.text === ENDED_HEADING);
  const now = body.find((b) => b !== section && b.type === 'Container' && b.items?.[0]?.type === 'Container');
  const ended = (section?.items ?? []).slice(2).map((row) => {
    // The heading, then (after its subheading) the badge on a line of its own.
    const [head, ...rest] = row.items!;
    const badge = rest.find((i) => i.type === 'ColumnSet');
    return {
      heading: head!.text!,
      label: badge!.columns![0]!.items[0]!.text!,
      lines: rest.filter((i) => i.text?.startsWith('• ')).map((i) => i.text!.slice(2)),
    };
  });
  return { now: JSON.stringify(now ?? ''), ended };
}

const day = (d: number) => `2025-01-${String(d).padStart(2, '0')}T09:00:00.000Z`;

describe('the rows of access that ended', () => {
  test('each shows its two newest ends, the rest counted; its badge is the newest line’s state', () => {
    const card = registryAccessCard(
      {
        registry,
        cells: [
          cellOf(cluster('aks-a'), registry, [
            expired('R-OLDEST01', day(1)),
            drifted('R-DRIFT001', day(3)),
            revoked('R-NEWEST01', day(12)),
            expired('R-SECOND01', day(10)),
          ]),
        ],
        unresolvedClusters: [],
        generatedAt: NOW,
      },
      false,
    );
    const [row] = endedRows(card).ended;
    expect(row!.lines).toHaveLength(3);
    expect(row!.lines[0]).toContain('R-NEWEST01');
    expect(row!.lines[1]).toContain('R-SECOND01');
    expect(row!.lines[2]).toBe("2 more that ended earlier; each request's history is in the Access matrix tab");
    // The newest line was revoked: not "Expired", nor the most telling of all ("Removed outside acrbot").
    expect(row!.label).toBe('Revoked');
  });

  test('an expired line says when, from the expiry its record holds', () => {
    const card = registryAccessCard(
      {
        registry,
        cells: [cellOf(cluster('aks-a'), registry, [expired('R-EXPIRED1', '2025-01-10T10:00:00.000Z')])],
        unresolvedClusters: [],
        generatedAt: NOW,
      },
      false,
    );
    const [row] = endedRows(card).ended;
    expect(row!.label).toBe('Expired');
    expect(row!.lines[0]).toMatch(/ — expired on 2025-01-10/);
  });

  test('rows are ordered newest end first, so the row a full card leaves out is the oldest', () => {
    // 21 clusters whose access ended, the most recent on the one last by name.
    const cells = [
      ...Array.from({ length: 20 }, (_, i) =>
        cellOf(cluster(`aks-${String(i).padStart(2, '0')}`), registry, [revoked(`R-OLD${i}`, day(i + 1))]),
      ),
      cellOf(cluster('zz-latest'), registry, [expired('R-LATEST01', day(28))]),
    ];
    const card = registryAccessCard({ registry, cells, unresolvedClusters: [], generatedAt: NOW }, false);
    const headings = endedRows(card).ended.map((r) => r.heading);
    expect(headings).toHaveLength(20);
    expect(headings[0]).toBe('zz-latest');
    expect(headings[1]).toBe('aks-19');
    expect(headings).not.toContain('aks-00');
    expect(JSON.stringify(card)).toContain('1 more that ended not shown');
  });
});

describe('the size of a card with much history', () => {
  // Ordinary long-ish names: what a registry shared by many teams sees after a `revoke registry`.
  const name = (i: number) => `aks-payments-platform-westeurope-${String(i).padStart(2, '0')}`;
  const group = 'rg-payments-platform-westeurope-production';
  const person = {
    requesterName: 'Maximilian Alexander Lindqvist-Johansson',
    approvedBy: 'Christina Margarethe Oberholzer',
  };
  const sixEnded = (i: number): PullPath[] =>
    Array.from({ length: 6 }, (_, k) => {
      const id = `R-E${String(i).padStart(2, '0')}K${k}AAAA`.slice(0, 10);
      const at = day(k + 2);
      return k % 3 === 0
        ? revoked(id, at, { ...person, revokedBy: 'Christina Margarethe Oberholzer' })
        : k % 3 === 1
          ? expired(id, at, person)
          : drifted(id, at, person);
    });
  const live = (i: number) => cellOf(cluster(`${name(i)}-live`, group), registry, [role(person)]);

  test('10 live clusters and 20 with six ended ways each: under the cap, every live row shown', () => {
    const cells = [
      ...Array.from({ length: 10 }, (_, i) => live(i)),
      ...Array.from({ length: 20 }, (_, i) => cellOf(cluster(name(i), group), registry, sixEnded(i))),
    ];
    const card = registryAccessCard({ registry, cells, unresolvedClusters: [], generatedAt: NOW }, false);
    expect(jsonBytes(card)).toBeLessThanOrEqual(CARD_MAX_BYTES);
    const { now, ended } = endedRows(card);
    for (let i = 0; i < 10; i++) expect(now).toContain(`${name(i)}-live`);
    // The rest of the row limit goes to history, each row short.
    expect(ended).toHaveLength(10);
    for (const row of ended) expect(row.lines).toHaveLength(3);
  });

  test('20 clusters with six ended ways each, after a `revoke registry`: every one a row, under the cap', () => {
    const cells = Array.from({ length: 20 }, (_, i) => cellOf(cluster(name(i), group), registry, sixEnded(i)));
    const card = registryAccessCard({ registry, cells, unresolvedClusters: [], generatedAt: NOW }, false);
    expect(jsonBytes(card)).toBeLessThanOrEqual(CARD_MAX_BYTES);
    expect(endedRows(card).ended).toHaveLength(20);
    expect(JSON.stringify(card)).not.toContain('more that ended not shown');
  });

  test('history too long for what the live rows leave is cut, the live rows never', () => {
    // Names of 120 CJK characters (3 bytes each) on every ended line: no row count keeps that small.
    const wide = { requesterName: '中'.repeat(120), approvedBy: '文'.repeat(120), revokedBy: '字'.repeat(120) };
    const cells = [
      ...Array.from({ length: 10 }, (_, i) => live(i)),
      ...Array.from({ length: 20 }, (_, i) =>
        cellOf(cluster(name(i), group), registry, [
          revoked(`R-W${i}A`, day(5), wide),
          revoked(`R-W${i}B`, day(4), wide),
          revoked(`R-W${i}C`, day(3), wide),
        ]),
      ),
    ];
    const card = registryAccessCard({ registry, cells, unresolvedClusters: [], generatedAt: NOW }, false);
    expect(jsonBytes(card)).toBeLessThanOrEqual(CARD_MAX_BYTES);
    const { now, ended } = endedRows(card);
    for (let i = 0; i < 10; i++) expect(now).toContain(`${name(i)}-live`);
    expect(ended.length).toBeGreaterThan(0);
    expect(ended.length).toBeLessThan(10);
    expect(JSON.stringify(card)).toContain(`${20 - ended.length} more that ended not shown`);
  });

  test('live rows alone over the cap: the last give way, counted, rather than "Too large to show"', () => {
    // Twenty clusters, each pulling six ways, every way a request by people with long names.
    const sixWays = (i: number): PullPath[] =>
      Array.from({ length: 6 }, (_, k) =>
        acrbotRole({
          assignmentId: `${ASSIGNMENTS}/${i}-${k}`,
          requests: [ref({ requestId: `R-L${i}K${k}`, ...person, requesterName: '中'.repeat(60) })],
        }),
      );
    const cells = Array.from({ length: 20 }, (_, i) => cellOf(cluster(`${name(i)}-live`, group), registry, sixWays(i)));
    const card = registryAccessCard({ registry, cells, unresolvedClusters: [], generatedAt: NOW }, false);
    expect(jsonBytes(card)).toBeLessThanOrEqual(CARD_MAX_BYTES);
    const text = JSON.stringify(card);
    const shown = cells.filter((_, i) => text.includes(`${name(i)}-live`)).length;
    // The first rows by name stay; what the card leaves out is counted, pointing to the tab.
    expect(shown).toBeGreaterThan(5);
    expect(shown).toBeLessThan(20);
    for (let i = 0; i < shown; i++) expect(text).toContain(`${name(i)}-live`);
    expect(text).toContain(`${20 - shown} more not shown; the Access matrix tab lists them all.`);
  });
});
