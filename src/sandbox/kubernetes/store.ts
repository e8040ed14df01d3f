/**
 * In-memory object store standing in for etcd: objects keyed by resource, namespace and name,
 * with the server-set metadata (uid, resourceVersion, creationTimestamp) and optimistic
 * concurrency on `metadata.resourceVersion`. Everything going in or out is deep-copied so
 * callers (handlers, tests) can never alias stored state.
 */
import { randomUUID } from 'node:crypto';
import { alreadyExists, conflict, notFound } from './status';
import type { KubeObject, ResourceName } from './types';

/** Deep copy of a JSON-shaped value. */
export function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** Formats a Date as Kubernetes does (RFC 3339, second precision, `Z`). */
export function kubeTimestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Cluster-scoped objects (namespaces) live under this namespace key. */
const CLUSTER = '';

export class ObjectStore {
  private readonly objects = new Map<string, KubeObject>();
  // etcd revisions are large, increasing integers; start past 0 so "0"/"1" never look valid by accident.
  private revision = 1000;

  constructor(private readonly now: () => Date) {}

  private key(resource: ResourceName, namespace: string | undefined, name: string): string {
    return `${resource}/${namespace ?? CLUSTER}/${name}`;
  }

  /** Latest revision handed out; used as the list resourceVersion. */
  currentRevision(): string {
    return String(this.revision);
  }

  /** A copy of the stored object, or undefined. */
  get(resource: ResourceName, namespace: string | undefined, name: string): KubeObject | undefined {
    return clone(this.objects.get(this.key(resource, namespace, name)));
  }

  /** Copies of all objects of a resource, in one namespace or (namespace undefined) across all, sorted like etcd keys. */
  list(resource: ResourceName, namespace?: string): KubeObject[] {
    const prefix = namespace === undefined ? `${resource}/` : `${resource}/${namespace}/`;
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, v]) => clone(v));
  }

  /** Stores a new object, setting uid, resourceVersion and creationTimestamp. Throws 409 AlreadyExists. */
  create(resource: ResourceName, namespace: string | undefined, obj: KubeObject): KubeObject {
    const name = obj.metadata.name as string;
    const key = this.key(resource, namespace, name);
    if (this.objects.has(key)) throw alreadyExists(resource, name);
    const stored = withoutTypeMeta(obj);
    stored.metadata.uid = randomUUID();
    stored.metadata.resourceVersion = String(++this.revision);
    stored.metadata.creationTimestamp = kubeTimestamp(this.now());
    if (namespace !== undefined) stored.metadata.namespace = namespace;
    this.objects.set(key, stored);
    return clone(stored);
  }

  /**
   * Replaces an existing object. A non-empty `metadata.resourceVersion` in `obj` is a precondition
   * (409 Conflict when stale); empty means an unconditional update, which the real server allows
   * for these resources. uid and creationTimestamp are kept from the stored object. Like etcd, a
   * no-op update does not bump the resourceVersion.
   */
  update(resource: ResourceName, namespace: string | undefined, name: string, obj: KubeObject): KubeObject {
    const key = this.key(resource, namespace, name);
    const current = this.objects.get(key);
    if (!current) throw notFound(resource, name);
    const wanted = obj.metadata.resourceVersion;
    if (wanted && wanted !== current.metadata.resourceVersion) throw conflict(resource, name);
    const next = withoutTypeMeta(obj);
    next.metadata.uid = current.metadata.uid;
    next.metadata.creationTimestamp = current.metadata.creationTimestamp;
    if (namespace !== undefined) next.metadata.namespace = namespace;
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    if (JSON.stringify(canonical(next)) === JSON.stringify(canonical(current))) return clone(current);
    next.metadata.resourceVersion = String(++this.revision);
    this.objects.set(key, next);
    return clone(next);
  }

  /** Removes an object and returns what was stored. Throws 404. */
  delete(resource: ResourceName, namespace: string | undefined, name: string): KubeObject {
    const key = this.key(resource, namespace, name);
    const current = this.objects.get(key);
    if (!current) throw notFound(resource, name);
    this.objects.delete(key);
    this.revision++;
    return current;
  }
}

/**
 * A copy without kind/apiVersion: the API layer adds them on the way out, and keeping them out of
 * storage makes a PUT or PATCH that only restates them a true no-op.
 */
function withoutTypeMeta(obj: KubeObject): KubeObject {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = clone(obj);
  return rest as KubeObject;
}

/** Key-order-independent form for comparing two objects. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
