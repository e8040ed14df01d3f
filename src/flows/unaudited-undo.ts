import type { Clock, RequestStore } from '../domain/ports';
import { VersionConflictError } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import type { Logger } from '../observability/logger';

/**
 * Restores `before` after `written` was stored but its audit entry could not be made durable
 * (G11). Conditional on `written` still being current: whatever moved the request meanwhile
 * wrote its own audit entry.
 */
export async function undoUnaudited(
  store: RequestStore,
  clock: Clock,
  before: AccessRequest,
  written: AccessRequest,
): Promise<void> {
  try {
    await store.update({ ...before, version: written.version + 1, updatedAt: clock.now().toISOString() });
  } catch (err) {
    if (!(err instanceof VersionConflictError))
      throw new Error(`could not undo an unaudited change of ${before.id}`, { cause: err });
  }
}

/**
 * After the write of `written` failed with something other than a lost race: it may have been
 * stored all the same (a store that lost the answer and could not read the row back), and a
 * transition stored without its audit entry must not stand (G11), so it is undone. Only when the
 * request read now is `written` itself: the same version with other content is another
 * instance's write (a second approver's, audited by it), which an undo conditional on the
 * version alone would overwrite. Never throws: the write's error is what the caller is told, and
 * a failed check or undo (the store down) is logged here, where it ends.
 */
async function undoIfStored(
  ports: { store: RequestStore; clock: Clock; log: Logger },
  before: AccessRequest,
  written: AccessRequest,
): Promise<void> {
  try {
    const stored = await ports.store.get(written.id);
    if (stored?.version !== written.version || JSON.stringify(stored) !== JSON.stringify(written)) return;
    await undoUnaudited(ports.store, ports.clock, before, written);
  } catch (err) {
    ports.log.error(
      { err, requestId: written.id, state: written.state },
      'a failed write may have been stored unaudited, and checking or undoing it failed too',
    );
  }
}

/**
 * Writes `next` (a transition of `before` whose audit entry comes after the write); when the
 * write fails with anything but a lost race, it may have landed all the same, so it is undone
 * when the stored request is that write ({@link undoIfStored}), then the error is thrown as it
 * came. A lost race ({@link VersionConflictError}) is thrown untouched: the caller decides.
 */
export async function updateUndoingUnseen(
  ports: { store: RequestStore; clock: Clock; log: Logger },
  before: AccessRequest,
  next: AccessRequest,
): Promise<void> {
  try {
    await ports.store.update(next);
  } catch (err) {
    if (!(err instanceof VersionConflictError)) await undoIfStored(ports, before, next);
    throw err;
  }
}
