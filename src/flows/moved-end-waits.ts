/**
 * Pending extensions of an access whose end another extension moved: what each recorded of that
 * end when filed (`extendsAccess`, its card's "Now ends") and a wait cut to it (its `expiresAt`,
 * "Decide by", extension-deadline.ts) follow the new end, so neither its card nor a click says
 * the access ends when it no longer does. Run where an approved extension moves the end
 * (access-extensions.ts) and at a click on an extension whose cut wait passed before that ran
 * (request-decision.ts).
 */
import { decisionDeadline, extendedAccessOf, waitEndsWithOriginal } from '../domain/extension-deadline';
import type { RequestStore } from '../domain/ports';
import { VersionConflictError } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import type { Logger } from '../observability/logger';
import type { RequestNotifier } from './notifier';
import { type JobScheduling, scheduleExpiry } from './request-jobs';

/** What following a moved end reads and writes. */
export interface MovedEndPorts {
  store: Pick<RequestStore, 'get' | 'update' | 'listByTarget'>;
  jobs?: JobScheduling;
  cards: RequestNotifier;
  log: Logger;
  /** ACRBOT_APPROVAL_TTL: without it a wait cut to the old end is left as it is (its expiry says why). */
  approvalTtlMs?: number;
}

/** Most pending requests of the pair read for the extensions of one original. */
const PENDING_READ_LIMIT = 200;

/**
 * `extension` as it should read once its original's end is `original.access.expiresAt`: the new
 * end recorded, and a wait cut to the old end cut again to the new one, no later than its
 * approval window (`createdAt` + `approvalTtlMs`), as when filed (decisionDeadline). Undefined
 * when nothing changes: not pending, no end recorded, the end not moved later, or a cut wait
 * with no approval window known (left to its expiry, which records `originalWentOn`).
 */
export function followingMovedEnd(
  extension: AccessRequest,
  original: AccessRequest,
  approvalTtlMs: number | undefined,
): AccessRequest | undefined {
  const recorded = extension.extendsAccess;
  const extendsAccess = extendedAccessOf(original);
  if (extension.state !== 'pending' || extension.extendsRequestId !== original.id || !recorded || !extendsAccess)
    return undefined;
  if (Date.parse(extendsAccess.endsAt) <= Date.parse(recorded.endsAt)) return undefined;
  if (!waitEndsWithOriginal(extension)) return { ...extension, extendsAccess };
  if (approvalTtlMs === undefined) return undefined;
  const expiresAt = decisionDeadline(new Date(extension.createdAt), approvalTtlMs, extendsAccess);
  return { ...extension, extendsAccess, expiresAt };
}

/**
 * Writes {@link followingMovedEnd} of `extension` (conditionally; read again and tried once more
 * when something else wrote it meanwhile), moves its `request.expire` job to the new deadline and
 * redraws its cards. Returns the request as stored afterwards (unchanged when nothing was to do
 * or the write kept losing).
 */
export async function followMovedEnd(
  ports: MovedEndPorts,
  extension: AccessRequest,
  original: AccessRequest,
): Promise<AccessRequest> {
  let current = extension;
  for (let attempt = 1; ; attempt++) {
    const followed = followingMovedEnd(current, original, ports.approvalTtlMs);
    if (!followed) return current;
    const next = { ...followed, version: current.version + 1 };
    try {
      await ports.store.update(next);
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      const fresh = await ports.store.get(current.id);
      if (!fresh || attempt >= 2) {
        // Its expiry still tells the truth (originalWentOn), and a click decides on the facts.
        ports.log.warn(
          { requestId: current.id, original: original.id },
          "a pending extension changed while following its original's moved end; its card keeps the old end",
        );
        return fresh ?? current;
      }
      current = fresh;
      continue;
    }
    if (next.expiresAt !== current.expiresAt) await scheduleExpiry(ports.jobs, next);
    await ports.cards.requestChanged(next);
    return next;
  }
}

/**
 * After `original`'s end moved: every still-pending extension of it follows the new end
 * ({@link followMovedEnd}). Never throws: the move of the end stands either way, and failing it
 * would report the extension as not applied. A failure is logged (once for the listing, once for
 * each extension) and the others go on; what did not follow does at the next application of the
 * extension (applyExtension follows again when the end was moved already) or at a click on it.
 */
export async function followMovedEndOfPending(ports: MovedEndPorts, original: AccessRequest): Promise<void> {
  let pending: AccessRequest[];
  try {
    pending = await ports.store.listByTarget(
      original.plan.cluster.id,
      original.plan.registry.id,
      ['pending'],
      PENDING_READ_LIMIT,
    );
  } catch (err) {
    ports.log.warn(
      { err, original: original.id },
      "a pending extension could not follow its original's moved end; its card keeps the old end",
    );
    return;
  }
  for (const extension of pending)
    if (extension.extendsRequestId === original.id)
      try {
        await followMovedEnd(ports, extension, original);
      } catch (err) {
        ports.log.warn(
          { err, requestId: extension.id, original: original.id },
          "a pending extension could not follow its original's moved end; its card keeps the old end",
        );
      }
}
