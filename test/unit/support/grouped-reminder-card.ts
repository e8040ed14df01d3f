/**
 * How the tests read a grouped expiry reminder (grouped-reminder-view.ts): its rows, each a
 * container of one fact (the request id and what the row says) and, when offered, the row's own
 * Extend under it.
 */

interface Element {
  type?: string;
  items?: Element[];
  facts?: Array<{ title: string; value: string }>;
  actions?: Array<{ title: string; verb: string; data: Record<string, unknown> }>;
}

/** The card's rows: each one's fact and the actions of its own ActionSet. */
export function groupedRows(card: unknown): Array<{
  title: string;
  value: string;
  actions: Array<{ title: string; verb: string; data: Record<string, unknown> }>;
}> {
  return ((card as { body: Element[] }).body ?? [])
    .filter((b) => b.type === 'Container' && b.items?.[0]?.type === 'FactSet')
    .map((row) => ({
      ...row.items![0]!.facts![0]!,
      actions: row.items!.flatMap((item) => (item.type === 'ActionSet' ? item.actions! : [])),
    }));
}

/** Every Extend the card offers, row by row (the card's own actions hold none). */
export function groupedExtends(card: unknown): Array<{ title: string; verb: string; data: Record<string, unknown> }> {
  return groupedRows(card).flatMap((row) => row.actions);
}
