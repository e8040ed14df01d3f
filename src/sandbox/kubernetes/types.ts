/**
 * Shared types of the Kubernetes API server emulator. Objects are kept as plain JSON (what the
 * wire carries), not typed models, because the emulator must round-trip fields it does not know.
 */

/** A JSON value as parsed from a request body. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** The object metadata fields the emulator reads or sets. Anything else is carried through untouched. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: Json | undefined;
}

/** A stored Kubernetes object, as it is sent on the wire (with `kind` and `apiVersion`). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: Json | ObjectMeta | undefined;
}

/** The core/v1 resources the emulator serves (plural names, as in URLs and RBAC rules). */
export type ResourceName = 'namespaces' | 'secrets' | 'serviceaccounts';

/** Kubernetes authorization verbs, as RBAC names them. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** Certificate material for the HTTPS listener, PEM encoded. `caPem` is what clients must trust. */
export interface TlsMaterial {
  certPem: string;
  keyPem: string;
  caPem: string;
}

/** One line of the request log the emulator keeps for assertions in tests. */
export interface RequestLogEntry {
  method: string;
  /** URL path without the query string, with repeated `/` collapsed. */
  path: string;
  /** Raw query string without the leading `?` ('' when absent). */
  query: string;
  /** Content-Type request header, or undefined when the request carried none. */
  contentType: string | undefined;
  /** Accept request header, or undefined. */
  accept: string | undefined;
  /** HTTP status the emulator answered with (0 if a fault dropped the connection). */
  status: number;
  /** Authenticated username, or undefined when authentication failed or was not needed. */
  user: string | undefined;
  /** Parsed JSON request body (undefined when empty or not JSON). */
  body?: unknown;
  /** Diagnostic the client never sees, e.g. why a JSON Patch did not apply ("add operation does not apply: ..."). */
  note?: string;
}
