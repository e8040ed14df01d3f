/**
 * The labels and annotations of acrbot's pull secrets: the two labels it writes (hints for people
 * and selectors, never proof: G15), and what a check keeps of a secret's metadata so that a later
 * replace carries over what others put on the object.
 */
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { SecretMetadataSeen } from '../../domain/secret-ownership';

/** Label naming the request that wrote a secret (a hint: the store decides, G15). */
export const REQUEST_ID_LABEL = 'acrbot.io/request-id';

/** Label acrbot puts on its secrets (for people and selectors; never trusted, G15). */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

/**
 * Annotation `kubectl apply` keeps the applied object in: on a secret, its data too. A replace
 * drops it, as a full replace always did: it would go on holding the credential being replaced.
 */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Labels and annotations acrbot writes itself: those of the object replaced are never carried over. */
function isAcrbotKey(key: string): boolean {
  return key.startsWith('acrbot.io/') || key === MANAGED_BY_LABEL;
}

/** The entries of `map` others put there (not acrbot's own, nor `dropped`). */
export function othersEntries(map: Record<string, string> | undefined, dropped?: string): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).filter(([k]) => !isAcrbotKey(k) && k !== dropped));
}

/**
 * What a check keeps of a secret's metadata for a later replace ({@link SecretMetadataSeen}):
 * copies, never the data, and not kubectl's last-applied annotation (it may quote the data).
 */
export function metadataSeen(meta: V1ObjectMeta): SecretMetadataSeen {
  const annotations = meta.annotations && withoutKey(meta.annotations, LAST_APPLIED_ANNOTATION);
  return {
    ...(meta.labels ? { labels: { ...meta.labels } } : {}),
    ...(annotations ? { annotations } : {}),
    ...(meta.finalizers?.length ? { finalizers: [...meta.finalizers] } : {}),
    ...(meta.ownerReferences?.length
      ? {
          ownerReferences: meta.ownerReferences.map(
            ({ apiVersion, kind, name, uid, controller, blockOwnerDeletion }) => ({
              apiVersion,
              kind,
              name,
              uid,
              ...(controller !== undefined ? { controller } : {}),
              ...(blockOwnerDeletion !== undefined ? { blockOwnerDeletion } : {}),
            }),
          ),
        }
      : {}),
  };
}

/** `map` without the key `dropped`. */
function withoutKey(map: Record<string, string>, dropped: string): Record<string, string> {
  return Object.fromEntries(Object.entries(map).filter(([k]) => k !== dropped));
}
