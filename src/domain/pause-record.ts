/**
 * The compare of the pause record's conditional amend (PauseStore.amend): the record must still
 * be exactly the one read, so an amendment made meanwhile (the same approver's from a second
 * device) or a pause lifted and made anew is never overwritten unseen, and an undo puts back only
 * what it changed.
 */
import { samePause } from './access-pause';
import type { AccessPause } from './ports';

/** True when `a` and `b` are the same pause with the same reason and the same last amendment. */
export function samePauseRecord(a: AccessPause, b: AccessPause): boolean {
  return (
    samePause(a, b) &&
    a.reason === b.reason &&
    (a.amended?.at ?? '') === (b.amended?.at ?? '') &&
    (a.amended?.by.objectId ?? '').toLowerCase() === (b.amended?.by.objectId ?? '').toLowerCase()
  );
}
