/**
 * Why an audit anchor could not be appended, in words an operator can act on: the Storage SDK's
 * own error (kept as `cause`) reaches a job report only as "unexpected error". The usual causes
 * are someone else's doing in the anchor container — today's blob made a block blob, or leased —
 * or a missing right. The text names the blob, container, account, status and code, and the
 * fix; never the SDK's message or a URL, which may carry a SAS or connection details.
 */
import { UserFacingError } from '../../domain/errors';

/** An anchor append the storage service refused or did not answer. */
export class AnchorWriteError extends UserFacingError {
  constructor(code: string, message: string, cause: unknown) {
    super(code, message, { cause });
    this.name = 'AnchorWriteError';
  }
}

/** Status and error code of a Storage SDK error (`RestError`), when it has them. */
function answerOf(err: unknown): { status?: number; code?: string } {
  const e = err as { statusCode?: unknown; code?: unknown; details?: { errorCode?: unknown } } | undefined;
  const status = typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  const code = [e?.details?.errorCode, e?.code].find((c): c is string => typeof c === 'string' && c !== '');
  return { status, code };
}

/**
 * The error to throw for `err`, raised while appending an anchor line to `blob`.
 * @param container `container "…" of storage account "…"`, as BlobAnchorLog names it.
 */
export function anchorWriteError(err: unknown, blob: string, container: string): AnchorWriteError {
  const { status, code } = answerOf(err);
  const answer = [status, code].filter((x) => x !== undefined).join(' ') || 'no answer';
  const where = `the anchor blob "${blob}" in ${container}`;
  if (code === 'InvalidBlobType')
    return new AnchorWriteError(
      'anchor.blob-type',
      `${where} is not an append blob (${answer}): someone who can write the container created it as another blob type, and acrbot appends anchors only to an append blob it creates. No anchor is published under that name today; anchoring resumes with the next UTC day's blob. Find out who wrote it (the storage account's logs) and keep it: verify reads it with the anchors and names its lines.`,
      err,
    );
  if (code?.startsWith('Lease'))
    return new AnchorWriteError(
      'anchor.leased',
      `${where} cannot be appended to: it or its container is leased by someone else (${answer}), and acrbot takes no leases. Find out who took the lease (the storage account's logs), then break it (az storage blob lease break, or az storage container lease break); the next run appends again.`,
      err,
    );
  if (status === 403)
    return new AnchorWriteError(
      'anchor.forbidden',
      `acrbot may not write ${where} (${answer}). Give the bot's identity Storage Blob Data Contributor on the container (infra/ does), or, with a connection string, a key or SAS that allows creating and appending blobs; the next run appends again.`,
      err,
    );
  if (code === 'ContainerNotFound')
    return new AnchorWriteError(
      'anchor.container-missing',
      `the anchor ${container} no longer exists (${answer}): it was deleted after acrbot created it, and the anchors in it with it. The next run creates it again; until then check the log against your last export (npm run audit:export), as the deleted anchors no longer can.`,
      err,
    );
  return new AnchorWriteError(
    'anchor.write-failed',
    `${where} could not be appended to (${answer}); the next run tries again.`,
    err,
  );
}
