/**
 * CRUD handlers for the served resources. Checks run in the real API server's order, because
 * clients see only the first failure:
 *  - create: decode (400) → namespace exists (404) and is not Terminating (403; NamespaceLifecycle admission) → validate (422) → validating admission (webhooks, then quota: admission.ts) → store (409 AlreadyExists; 500 for a resourceVersion);
 *  - update: decode/name checks (400) → exists (404) → uid precondition (409) → resourceVersion precondition (409) → validate (422) → validating admission;
 *  - patch:  Content-Type (415) → decode (400) → exists (404) → apply (422 for JSON Patch) → resourceVersion (409) → validate (422, uid immutable first) → validating admission;
 *  - delete: exists (404) → preconditions (409) → validating admission → removed, or, while it has
 *    finalizers, only marked (`metadata.deletionTimestamp`) and kept until an update leaves it none.
 * Authentication and authorization run before any of this, in the router.
 */
import { randomBytes } from 'node:crypto';
import type { AdmissionOperation } from './admission';
import { applyPatch, patchTypeOf } from './patch';
import type { ResourceDef } from './resources';
import { selectorFilter } from './selectors';
import {
  alreadyExists,
  badRequest,
  conflict,
  invalid,
  type FieldError,
  namespaceTerminating,
  notFound,
  success,
  unsupportedMediaType,
} from './status';
import { clone, kubeTimestamp, type ObjectStore } from './store';
import { assertNoResourceVersionOnCreate, assertUidPrecondition, uidImmutableErrors } from './system-fields';
import { toTable, wantsTable } from './table';
import type { Json, JsonObject, KubeObject } from './types';

/** Everything a handler needs about one request. */
export interface HandlerContext {
  store: ObjectStore;
  def: ResourceDef;
  /** Namespace from the URL (namespaced resources; undefined for a cluster-wide list). */
  namespace?: string;
  /** Object name from the URL. */
  name?: string;
  query: URLSearchParams;
  contentType?: string;
  accept?: string;
  rawBody: string;
  now: Date;
  /** Called after a namespace is created so the caller can add its `default` ServiceAccount. */
  onNamespaceCreated?: (name: string) => void;
  /** Receives diagnostic notes (e.g. why a JSON Patch did not apply) for the request log. */
  note?: (text: string) => void;
  /** Validating admission of the named object (throws its refusal); none in test setup calls. */
  admit?: (operation: AdmissionOperation, name: string) => void;
}

/** Status code and JSON body to send. */
export interface HandlerResult {
  status: number;
  body: object;
}

/** Media types create/update bodies may use (the real server also takes protobuf, which no client here sends). */
const BODY_CONTENT_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

/** The object as sent on the wire: kind and apiVersion first, like the real encoder. */
function wire(def: ResourceDef, obj: KubeObject): KubeObject {
  const { kind: _k, apiVersion: _a, ...rest } = obj;
  return { kind: def.kind, apiVersion: 'v1', ...rest } as KubeObject;
}

/** List items carry no kind/apiVersion on the wire. */
function listItem(obj: KubeObject): KubeObject {
  const { kind: _k, apiVersion: _a, ...rest } = obj;
  return rest as KubeObject;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

/** Decodes a create/update body into an object of this resource, or throws 400/415. */
function decodeObject(ctx: HandlerContext): KubeObject {
  const bare = (ctx.contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
  if (bare !== 'application/json' && bare !== '') throw unsupportedMediaType(BODY_CONTENT_TYPES);
  const body = parseJson(ctx.rawBody);
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badRequest(
      "couldn't get version/kind; json parse error: json: cannot unmarshal into Go value of type struct",
    );
  const obj = body as KubeObject;
  if (obj.kind !== undefined && obj.kind !== ctx.def.kind) {
    throw badRequest(
      `${String(obj.kind)} in version "${String(obj.apiVersion ?? 'v1')}" cannot be handled as a ${ctx.def.kind}: the object provided is unrecognized (must be of type ${ctx.def.kind})`,
    );
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== 'v1') {
    throw badRequest(
      `${ctx.def.kind} in version "${String(obj.apiVersion)}" cannot be handled as a ${ctx.def.kind}: no kind "${ctx.def.kind}" is registered for version "${String(obj.apiVersion)}"`,
    );
  }
  if (!obj.metadata || typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) obj.metadata = {};
  return obj;
}

function isDryRun(ctx: HandlerContext): boolean {
  return ctx.query.getAll('dryRun').includes('All');
}

function requireNamespace(ctx: HandlerContext): void {
  if (ctx.def.namespaced && ctx.namespace !== undefined && !ctx.store.get('namespaces', undefined, ctx.namespace)) {
    throw notFound('namespaces', ctx.namespace);
  }
}

/** Characters apiserver's names.SimpleNameGenerator uses for generateName suffixes. */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function generatedName(prefix: string): string {
  const bytes = randomBytes(5);
  return prefix + [...bytes].map((b) => NAME_ALPHABET[b % NAME_ALPHABET.length]).join('');
}

/** GET of one object (or a one-row Table). */
export function getObject(ctx: HandlerContext): HandlerResult {
  const obj = ctx.store.get(ctx.def.name, ctx.def.namespaced ? ctx.namespace : undefined, ctx.name as string);
  if (!obj) throw notFound(ctx.def.name, ctx.name as string);
  if (wantsTable(ctx.accept)) {
    return {
      status: 200,
      body: toTable(
        ctx.def,
        [obj],
        obj.metadata.resourceVersion ?? '',
        ctx.now,
        ctx.query.get('includeObject') ?? undefined,
      ),
    };
  }
  return { status: 200, body: wire(ctx.def, obj) };
}

/** GET of a collection (a namespace's, or all namespaces' when none is in the URL). */
export function listObjects(ctx: HandlerContext): HandlerResult {
  const keep = selectorFilter(ctx.query.get('labelSelector'), ctx.query.get('fieldSelector'));
  const items = ctx.store.list(ctx.def.name, ctx.def.namespaced ? ctx.namespace : undefined).filter(keep);
  const rv = ctx.store.currentRevision();
  if (wantsTable(ctx.accept))
    return { status: 200, body: toTable(ctx.def, items, rv, ctx.now, ctx.query.get('includeObject') ?? undefined) };
  return {
    status: 200,
    body: { kind: ctx.def.listKind, apiVersion: 'v1', metadata: { resourceVersion: rv }, items: items.map(listItem) },
  };
}

/** POST: create. 201 with the stored object. */
export function createObject(ctx: HandlerContext): HandlerResult {
  const obj = decodeObject(ctx);
  const meta = obj.metadata;
  if (ctx.def.namespaced && meta.namespace && meta.namespace !== ctx.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (!meta.name && meta.generateName) meta.name = generatedName(meta.generateName);
  ctx.def.normalise(obj);
  requireNamespace(ctx);
  const ns = ctx.def.namespaced ? ctx.namespace : undefined;
  // NamespaceLifecycle admission, as for a missing namespace: nothing new in one being deleted.
  const namespace = ns === undefined ? undefined : ctx.store.get('namespaces', undefined, ns);
  if ((namespace?.status as { phase?: unknown } | undefined)?.phase === 'Terminating')
    throw namespaceTerminating(ctx.def.name, meta.name ?? '', ns!);
  const errs = ctx.def.validate(obj);
  if (errs.length > 0) throw invalid(ctx.def.kind, meta.name ?? '', errs);
  // Dry runs are admitted too (webhooks without side effects, quota without charging).
  ctx.admit?.('CREATE', meta.name ?? '');
  if (isDryRun(ctx)) {
    if (ctx.store.get(ctx.def.name, ns, meta.name as string)) throw alreadyExists(ctx.def.name, meta.name as string);
    return { status: 201, body: wire(ctx.def, { ...clone(obj), metadata: { ...meta, namespace: ns } }) };
  }
  // Refused by the storage layer, after admission and validation (a dry run never reaches it).
  assertNoResourceVersionOnCreate(obj);
  const stored = ctx.store.create(ctx.def.name, ns, obj);
  if (ctx.def.name === 'namespaces') ctx.onNamespaceCreated?.(stored.metadata.name as string);
  return { status: 201, body: wire(ctx.def, stored) };
}

/** The handler's checkName: the body must name the same object as the URL. */
function checkName(ctx: HandlerContext, obj: KubeObject): void {
  const objName = obj.metadata.name ?? '';
  if (objName !== ctx.name)
    throw badRequest(`the name of the object (${objName}) does not match the name on the URL (${ctx.name})`);
  const objNs = obj.metadata.namespace;
  if (ctx.def.namespaced && objNs && objNs !== ctx.namespace) {
    throw badRequest(
      `the namespace of the object (${objNs}) does not match the namespace on the request (${ctx.namespace})`,
    );
  }
}

/** Shared tail of PUT and PATCH: precondition, validation, store. */
function commitUpdate(ctx: HandlerContext, next: KubeObject, current: KubeObject): HandlerResult {
  const ns = ctx.def.namespaced ? ctx.namespace : undefined;
  const wanted = next.metadata.resourceVersion;
  // The store checks this too; checking here puts the 409 before validation's 422, as the real server does.
  if (wanted && wanted !== current.metadata.resourceVersion) throw conflict(ctx.def.name, ctx.name as string);
  ctx.def.normalise(next);
  keepDeletionMarks(next, current);
  // validateCommonFields (the uid) runs before the resource's own update validation.
  const errs = [
    ...uidImmutableErrors(next, current),
    ...newFinalizerErrors(next, current),
    ...ctx.def.validate(next, current),
  ];
  if (errs.length > 0) throw invalid(ctx.def.kind, ctx.name as string, errs);
  ctx.admit?.('UPDATE', ctx.name as string);
  if (isDryRun(ctx))
    return {
      status: 200,
      body: wire(ctx.def, {
        ...next,
        metadata: {
          ...next.metadata,
          uid: current.metadata.uid,
          creationTimestamp: current.metadata.creationTimestamp,
        },
      }),
    };
  const stored = ctx.store.update(ctx.def.name, ns, ctx.name as string, next);
  // The last finalizer of an object being deleted is gone: the registry deletes it now
  // (shouldDeleteDuringUpdate) and answers with the object as it was last stored.
  if (stored.metadata.deletionTimestamp && !finalizersOf(stored).length)
    ctx.store.delete(ctx.def.name, ns, ctx.name as string);
  return { status: 200, body: wire(ctx.def, stored) };
}

function finalizersOf(obj: KubeObject): string[] {
  const finalizers = obj.metadata.finalizers;
  return Array.isArray(finalizers) ? finalizers.filter((f): f is string => typeof f === 'string') : [];
}

/**
 * rest.BeforeUpdate: an update never sets, changes or removes a deletion mark; the stored
 * object's (or none) is kept whatever the body says.
 */
function keepDeletionMarks(next: KubeObject, current: KubeObject): void {
  for (const key of ['deletionTimestamp', 'deletionGracePeriodSeconds']) {
    if (current.metadata[key] === undefined) delete next.metadata[key];
    else next.metadata[key] = current.metadata[key];
  }
}

/** ValidateObjectMetaUpdate: no new finalizer on an object being deleted. */
function newFinalizerErrors(next: KubeObject, current: KubeObject): FieldError[] {
  if (!current.metadata.deletionTimestamp) return [];
  const before = new Set(finalizersOf(current));
  return finalizersOf(next).some((f) => !before.has(f))
    ? [
        {
          type: 'FieldValueForbidden',
          field: 'metadata.finalizers',
          detail: 'no new finalizers can be added if the object is being deleted',
        },
      ]
    : [];
}

/** PUT: full replace of an existing object (no create-on-update for these resources). */
export function replaceObject(ctx: HandlerContext): HandlerResult {
  const obj = decodeObject(ctx);
  checkName(ctx, obj);
  const current = ctx.store.get(ctx.def.name, ctx.def.namespaced ? ctx.namespace : undefined, ctx.name as string);
  if (!current) throw notFound(ctx.def.name, ctx.name as string);
  assertUidPrecondition(ctx.def.name, ctx.def.namespaced ? ctx.namespace : undefined, obj, current);
  return commitUpdate(ctx, obj, current);
}

/** PATCH with one of the three supported patch types. */
export function patchObject(ctx: HandlerContext): HandlerResult {
  const type = patchTypeOf(ctx.contentType);
  const patch = parseJson(ctx.rawBody);
  const current = ctx.store.get(ctx.def.name, ctx.def.namespaced ? ctx.namespace : undefined, ctx.name as string);
  if (!current) throw notFound(ctx.def.name, ctx.name as string);
  // Patches apply to the versioned wire form, so `kind`/`apiVersion` are there for JSON Patch `test` ops.
  const patched = applyPatch(type, wire(ctx.def, current) as unknown as JsonObject, patch, ctx.def.mergeSchema, (e) =>
    ctx.note?.(e.message),
  );
  const next = patched as unknown as KubeObject;
  if (!next.metadata || typeof next.metadata !== 'object') next.metadata = {};
  checkName(ctx, next);
  return commitUpdate(ctx, next, current);
}

/**
 * DELETE of one object: secrets and serviceaccounts answer with a success Status, as the real
 * registry does. One with finalizers is not removed: the registry sets its deletionTimestamp
 * (once; a second delete changes nothing) and answers 200 with the object, which stays until an
 * update leaves it no finalizer ({@link commitUpdate}).
 */
export function deleteObject(ctx: HandlerContext): HandlerResult {
  const ns = ctx.def.namespaced ? ctx.namespace : undefined;
  const current = ctx.store.get(ctx.def.name, ns, ctx.name as string);
  if (!current) throw notFound(ctx.def.name, ctx.name as string);
  checkDeletePreconditions(ctx, current);
  ctx.admit?.('DELETE', ctx.name as string);
  const held = deleteOrMark(ctx, ns, current);
  if (held) return { status: 200, body: wire(ctx.def, held) };
  return { status: 200, body: success({ name: current.metadata.name, kind: ctx.def.name, uid: current.metadata.uid }) };
}

/**
 * Deletes `current`, or, while it has finalizers, marks it as being deleted and answers it
 * (as stored; as it would be, on a dry run). Undefined when it is deleted.
 */
function deleteOrMark(ctx: HandlerContext, ns: string | undefined, current: KubeObject): KubeObject | undefined {
  const name = current.metadata.name as string;
  if (!finalizersOf(current).length) {
    if (!isDryRun(ctx)) ctx.store.delete(ctx.def.name, ns, name);
    return undefined;
  }
  if (current.metadata.deletionTimestamp) return current;
  const marked = {
    ...current,
    metadata: { ...current.metadata, deletionTimestamp: kubeTimestamp(ctx.now), deletionGracePeriodSeconds: 0 },
  };
  return isDryRun(ctx) ? marked : ctx.store.update(ctx.def.name, ns, name, marked);
}

/**
 * DeleteOptions `preconditions` (uid, resourceVersion): the API server refuses with 409 Conflict
 * when they do not match, so a client deletes exactly the object it read. The check is the
 * registry's (rest.BeforeDelete), not the storage layer's: its conflict names the Kind
 * ("Secret"), and its sentence says what may have happened.
 */
function checkDeletePreconditions(ctx: HandlerContext, current: KubeObject): void {
  const body = tryParseJson(ctx.rawBody) as
    { preconditions?: { uid?: unknown; resourceVersion?: unknown } } | undefined;
  const pre = body && typeof body === 'object' ? body.preconditions : undefined;
  if (!pre || typeof pre !== 'object') return;
  if (typeof pre.uid === 'string' && pre.uid !== current.metadata.uid)
    throw conflict(
      ctx.def.kind,
      ctx.name as string,
      `the UID in the precondition (${pre.uid}) does not match the UID in record (${String(current.metadata.uid)}). The object might have been deleted and then recreated`,
    );
  if (typeof pre.resourceVersion === 'string' && pre.resourceVersion !== current.metadata.resourceVersion)
    throw conflict(
      ctx.def.kind,
      ctx.name as string,
      `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${String(current.metadata.resourceVersion)}). The object might have been modified`,
    );
}

/** DELETE of a collection (with selectors): answers with the list of deleted objects. */
export function deleteCollection(ctx: HandlerContext): HandlerResult {
  const keep = selectorFilter(ctx.query.get('labelSelector'), ctx.query.get('fieldSelector'));
  const victims = ctx.store.list(ctx.def.name, ctx.namespace).filter(keep);
  for (const v of victims) deleteOrMark(ctx, v.metadata.namespace, v);
  return {
    status: 200,
    body: {
      kind: ctx.def.listKind,
      apiVersion: 'v1',
      metadata: { resourceVersion: ctx.store.currentRevision() },
      items: victims.map(listItem),
    },
  };
}

/** Reads a JSON value for the request log without failing on bad bodies. */
export function tryParseJson(raw: string): Json | undefined {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as Json;
  } catch {
    return undefined;
  }
}
