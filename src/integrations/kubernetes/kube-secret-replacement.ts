/**
 * What a replace of a pull secret sends, and whether a secret read back is still the one the
 * caller checked: a replace keeps what others put on the object and never overwrites one that
 * was swapped, relabelled or made again since the check (G15).
 */
import type { V1ObjectMeta, V1Secret } from '@kubernetes/client-node';
import type { PullSecretWrite } from '../../domain/ports';
import { secretDataFingerprint } from '../../domain/secret-ownership';
import { LAST_APPLIED_ANNOTATION, othersEntries, REQUEST_ID_LABEL } from './kube-secret-metadata';

/**
 * The replacement of the secret whose metadata is `current` (at the version the replace is
 * conditional on): acrbot's own labels, annotations and data over what others added to the
 * object (a scanner's annotation, a policy engine's label, a finalizer, an owner reference, so
 * the garbage collector still deletes the secret with its owner), which a Kubernetes controller
 * keeps rather than wipes; acrbot sets no owner of its own. Conditional on `uid` (the caller's,
 * else `current`'s) as well: a PUT that names a uid is refused (409) by an object of another uid.
 * Without `current` (what was read is not the object checked) just acrbot's body, which that
 * PUT's conditions then refuse.
 */
export function replacementBody(
  body: V1Secret,
  resourceVersion: string,
  current: V1ObjectMeta | undefined,
  uid: string | undefined,
): V1Secret {
  const own = body.metadata!;
  const named = uid ?? current?.uid;
  if (!current) return { ...body, metadata: { ...own, resourceVersion, ...(named ? { uid: named } : {}) } };
  return {
    ...body,
    metadata: {
      ...own,
      resourceVersion,
      ...(named ? { uid: named } : {}),
      labels: { ...othersEntries(current.labels), ...own.labels },
      annotations: { ...othersEntries(current.annotations, LAST_APPLIED_ANNOTATION), ...own.annotations },
      ...(current.finalizers?.length ? { finalizers: current.finalizers } : {}),
      ...(current.ownerReferences?.length ? { ownerReferences: current.ownerReferences } : {}),
    },
  };
}

/**
 * Whether `found` is still the object the caller decided to replace, as the write names it: the
 * uid it checked (`replaceUid`), with the request-id label it looked up in its records
 * (`replaceRequestIdLabel`, G15), holding the data it checked (`replaceFingerprint`). Someone
 * else's annotation, label or finalizer leaves it so; the label changed (another request's write,
 * which keeps the uid), the data replaced in place (a GitOps sync), or an object made again under
 * the name, does not. A write that names no uid or label never takes a touched secret for the checked one.
 */
export function stillTheChecked(found: V1Secret | undefined, input: PullSecretWrite): boolean {
  const uid = found?.metadata?.uid;
  if (!uid || !input.replaceUid || input.replaceRequestIdLabel === undefined) return false;
  if (input.replaceFingerprint !== undefined && secretDataFingerprint(found.data) !== input.replaceFingerprint)
    return false;
  return uid === input.replaceUid && found.metadata?.labels?.[REQUEST_ID_LABEL] === input.replaceRequestIdLabel;
}
