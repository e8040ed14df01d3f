/**
 * An entry of the history drawer after an Extend or a Revoke: the row it was opened with, with
 * what the action changed taken from the request's history read again. A matrix row is a way of
 * pulling, not only its request: its How ("… for cluster X", for a grant made for another cluster
 * that shares this one's identity), its Notes (shared identity, "not honoured", through a group)
 * and the state Azure shows are the cell's own facts, which the request's own row does not carry.
 */
import type { Row } from './types';

/**
 * `shown` (the entry as drawn) brought up to date by `fresh` (the request's row from its history,
 * read after the action): the request's facts — its state, end, revocation, the actions it offers
 * now — from `fresh`; the way of pulling's — key, kind, how, where, notes — from `shown`. A
 * drifted state (Azure shows the grant changed or gone, or cannot be checked, while the record
 * lives) is kept while the request still pulls: an Extend does not change what Azure shows; a
 * Revoke that began or ended does, and its state is shown (with why it reads drifted, if so).
 */
export function rowAfterAction(shown: Row, fresh: Row): Row {
  const stillDrifted = shown.state === 'drifted' && (fresh.state === 'active' || fresh.state === 'expiring');
  return {
    ...fresh,
    key: shown.key,
    kind: shown.kind,
    how: shown.how,
    howText: shown.howText,
    cluster: shown.cluster,
    registry: shown.registry,
    notes: shown.notes,
    state: stillDrifted ? shown.state : fresh.state,
    // Why it reads drifted goes with the state shown: the cell's while it stays drifted.
    driftReason: stillDrifted ? shown.driftReason : fresh.driftReason,
    // And so does what its badge says of it (the cell's "Cannot be checked", say).
    driftBadge: stillDrifted ? shown.driftBadge : fresh.driftBadge,
    // A matrix row's own fact, as its reason (a request's row never carries it).
    ...(stillDrifted && shown.notListedYet && { notListedYet: true as const }),
  };
}
