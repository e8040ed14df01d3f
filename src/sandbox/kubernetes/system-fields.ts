/**
 * What the real API server does with the server-set metadata a client sends back: `uid` and
 * `resourceVersion` are not silently overwritten there, they are checked.
 *  - create: a `resourceVersion` that parses as a non-zero number is refused by the storage
 *    layer (etcd3 store.Create) with a 500 whose reason is empty (StatusReasonUnknown): a client
 *    that creates from an object it read gets that, never a created object;
 *  - update (PUT): a non-empty `metadata.uid` is a storage precondition
 *    (rest.defaultUpdatedObjectInfo.Preconditions): a body carrying another object's uid (one
 *    deleted and made again under the same name) is 409 Conflict, before the resourceVersion check;
 *  - patch: there is no precondition, so a patch that changes the uid reaches validation and is
 *    422 `metadata.uid: … field is immutable` (ValidateObjectMetaUpdate).
 */
import { failure, StatusError, type FieldError } from './status';
import type { KubeObject } from './types';

/** etcd3's ParseResourceVersion: a decimal uint64; anything else reads as "not set" (0). */
function storedVersion(rv: string | undefined): bigint {
  if (!rv || !/^[0-9]{1,20}$/.test(rv)) return 0n;
  const n = BigInt(rv);
  return n <= 0xffffffffffffffffn ? n : 0n;
}

/** Throws the storage layer's 500 when a create carries a resourceVersion it can parse. */
export function assertNoResourceVersionOnCreate(obj: KubeObject): void {
  if (storedVersion(obj.metadata.resourceVersion) !== 0n)
    throw new StatusError(failure(500, undefined, 'resourceVersion should not be set on objects to be created'));
}

/**
 * The 409 of a failed uid precondition on update, as storeerr.InterpretUpdateError wraps the
 * storage error (its text, `Code: 4` for ErrCodeInvalidObj, the etcd key, is the real one's).
 */
export function assertUidPrecondition(
  resource: string,
  namespace: string | undefined,
  body: KubeObject,
  current: KubeObject,
): void {
  const wanted = body.metadata.uid;
  if (!wanted || wanted === current.metadata.uid) return;
  const name = String(current.metadata.name);
  const key = `/registry/${resource}/${namespace === undefined ? '' : `${namespace}/`}${name}`;
  throw new StatusError(
    failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${resource} "${name}": StorageError: invalid object, Code: 4, Key: ${key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: ${wanted}, UID in object meta: ${String(current.metadata.uid ?? '')}`,
      { name, kind: resource },
    ),
  );
}

/** ValidateObjectMetaUpdate's uid check: a non-empty uid must be the stored one (an empty one is filled in). */
export function uidImmutableErrors(next: KubeObject, current: KubeObject): FieldError[] {
  const uid = next.metadata.uid;
  return uid && uid !== current.metadata.uid
    ? [{ type: 'FieldValueInvalid', field: 'metadata.uid', value: uid, detail: 'field is immutable' }]
    : [];
}
