/**
 * `access` alone for one grant, read back from the card as drawn: what the tests of a grant's
 * state on `access` (a drift mark, its cluster gone) compare with the request card and `status`.
 * Read from the rendered card, not from a mocked template renderer, so a row is what Teams shows.
 */
import { requestRef, type UserAccessReport } from '../../../src/domain/access-inventory';
import type { AccessRequest } from '../../../src/domain/request';
import { userAccessCard } from '../../../src/views/access-view';
import { registryIn } from './drift-azure';

/** A row of the access card as drawn: its state badge (label and column style) and its lines. */
export interface AccessRow {
  stateLabel: string;
  stateStyle: string;
  lines: string[];
}

type Element = { type: string; text?: string; style?: string; items?: Element[]; columns?: Element[] };

/** The report `access` alone gives `request`'s requester at `now`: the one grant entry of `request`. */
export function oneGrantReport(request: AccessRequest, now: Date): UserAccessReport {
  const plan = request.plan;
  if (plan.kind !== 'grant') throw new Error('a grant');
  return {
    user: { objectId: request.requester.objectId, name: request.requester.name },
    entries: [
      {
        kind: 'grant',
        cluster: plan.cluster,
        registry: registryIn(plan, 'LegacyRegistryPermissions'),
        roleName: 'AcrPull',
        request: requestRef(request, now),
      },
    ],
    generatedAt: now.toISOString(),
  };
}

/**
 * The one row of `access` alone for the grant `request` at `now`: the state column's label and
 * style, and each line after it without the "• " the template draws before it.
 */
export function accessRowOf(request: AccessRequest, now: Date): AccessRow {
  const card = userAccessCard(oneGrantReport(request, now), false) as { body: Element[] };
  const rows = card.body.find((e) => e.type === 'Container')?.items ?? [];
  if (rows.length !== 1) throw new Error(`one row expected, the card has ${rows.length}`);
  const items = rows[0]!.items!;
  const badgeAt = items.findIndex((e) => e.type === 'ColumnSet');
  const column = items[badgeAt]!.columns![0]!;
  return {
    stateLabel: column.items![0]!.text!,
    stateStyle: column.style!,
    lines: items.slice(badgeAt + 1).map((e) => e.text!.replace(/^• /, '')),
  };
}
