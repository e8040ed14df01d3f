/**
 * RFC 6902 JSON Patch (`application/json-patch+json`), with the error behaviour of the
 * evanphx/json-patch library the API server uses: a body that is not a list of operations is a
 * 400, an operation that does not apply (missing parent, failed `test`, bad index) is a 422,
 * a `test` of a location whose parent is missing included (it is not read as null).
 * The canonical trap: `add` to `/imagePullSecrets/-` when the ServiceAccount has no
 * `imagePullSecrets` fails, because `-` needs an existing array.
 */
import { badRequest, patchNotApplicable } from '../status';
import { clone } from '../store';
import type { Json, JsonObject } from '../types';

/** One JSON Patch operation as sent on the wire. */
export interface JsonPatchOperation {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

/** Why an operation did not apply; surfaces in logs only (the server hides it from clients). */
export class JsonPatchApplyError extends Error {}

/** Validates the decoded body is a patch document; throws 400 like jsonpatch.DecodePatch. */
export function decodeJsonPatch(body: unknown): JsonPatchOperation[] {
  if (!Array.isArray(body)) {
    throw badRequest(
      `json: cannot unmarshal ${body === null ? 'null' : typeof body === 'object' ? 'object' : typeof body} into Go value of type jsonpatch.Patch`,
    );
  }
  for (const op of body) {
    if (!op || typeof op !== 'object' || Array.isArray(op))
      throw badRequest('json: cannot unmarshal into Go value of type jsonpatch.Operation');
  }
  return body as JsonPatchOperation[];
}

/**
 * Applies the operations in order to a copy of `doc`. Throws the 422 Status the server sends
 * when an operation does not apply; `onApplyError` receives the library-level reason.
 */
export function applyJsonPatch(
  doc: JsonObject,
  ops: JsonPatchOperation[],
  onApplyError?: (e: JsonPatchApplyError) => void,
): JsonObject {
  let out: Json = clone(doc);
  try {
    for (const op of ops) out = applyOne(out, op);
  } catch (err) {
    if (err instanceof JsonPatchApplyError) {
      onApplyError?.(err);
      throw patchNotApplicable();
    }
    throw err;
  }
  return out as JsonObject;
}

/** Splits an RFC 6901 pointer into unescaped tokens. */
function parsePointer(path: unknown, op: string): string[] {
  if (typeof path !== 'string') throw new JsonPatchApplyError(`${op} operation failed to decode path`);
  if (path === '') return [];
  if (!path.startsWith('/'))
    throw new JsonPatchApplyError(`${op} operation does not apply: doc is missing path: "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Json[] | JsonObject;

/** Walks to the parent of the last token; undefined when any step is missing. */
function findParent(doc: Json, tokens: string[]): Container | undefined {
  let cur: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(t, cur.length - 1);
      if (i === undefined) return undefined;
      cur = cur[i];
    } else if (cur && typeof cur === 'object') {
      if (!Object.prototype.hasOwnProperty.call(cur, t)) return undefined;
      cur = cur[t];
    } else {
      return undefined;
    }
  }
  return cur && typeof cur === 'object' ? (cur as Container) : undefined;
}

function arrayIndex(token: string, max: number): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const i = Number(token);
  return i <= max ? i : undefined;
}

function getAt(doc: Json, tokens: string[]): { found: boolean; value?: Json } {
  if (tokens.length === 0) return { found: true, value: doc };
  const parent = findParent(doc, tokens);
  const last = tokens[tokens.length - 1];
  if (!parent) return { found: false };
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length - 1);
    return i === undefined ? { found: false } : { found: true, value: parent[i] };
  }
  return Object.prototype.hasOwnProperty.call(parent, last) ? { found: true, value: parent[last] } : { found: false };
}

function add(doc: Json, path: string, value: Json, op = 'add'): Json {
  const tokens = parsePointer(path, op);
  if (tokens.length === 0) return clone(value);
  const parent = findParent(doc, tokens);
  const last = tokens[tokens.length - 1];
  if (!parent)
    throw new JsonPatchApplyError(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : arrayIndex(last, parent.length);
    if (i === undefined)
      throw new JsonPatchApplyError(`Unable to access invalid index: ${last}: invalid index referenced`);
    parent.splice(i, 0, clone(value));
  } else {
    parent[last] = clone(value);
  }
  return doc;
}

function remove(doc: Json, path: string, op = 'remove'): Json {
  const tokens = parsePointer(path, op);
  const parent = findParent(doc, tokens);
  const last = tokens[tokens.length - 1];
  if (!parent || tokens.length === 0)
    throw new JsonPatchApplyError(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length - 1);
    if (i === undefined)
      throw new JsonPatchApplyError(`Unable to remove invalid index: ${last}: invalid index referenced`);
    parent.splice(i, 1);
  } else {
    if (!Object.prototype.hasOwnProperty.call(parent, last))
      throw new JsonPatchApplyError(`Unable to remove nonexistent key: ${last}: missing value`);
    delete parent[last];
  }
  return doc;
}

function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as Json[]).length && a.every((v, i) => deepEqual(v, (b as Json[])[i]));
  const ak = Object.keys(a);
  const bo = b as JsonObject;
  return (
    ak.length === Object.keys(bo).length &&
    ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && deepEqual((a as JsonObject)[k], bo[k]))
  );
}

function applyOne(doc: Json, op: JsonPatchOperation): Json {
  switch (op.op) {
    case 'add':
      return add(doc, op.path, op.value ?? null);
    case 'remove':
      return remove(doc, op.path);
    case 'replace': {
      const tokens = parsePointer(op.path, 'replace');
      if (tokens.length === 0) return clone(op.value ?? null);
      if (!findParent(doc, tokens))
        throw new JsonPatchApplyError(
          `replace operation does not apply: doc is missing path: ${op.path}: missing value`,
        );
      if (!getAt(doc, tokens).found)
        throw new JsonPatchApplyError(
          `replace operation does not apply: doc is missing key: ${op.path}: missing value`,
        );
      return add(remove(doc, op.path, 'replace'), op.path, op.value ?? null, 'replace');
    }
    case 'move': {
      const from = getAt(doc, parsePointer(op.from, 'move'));
      if (!from.found)
        throw new JsonPatchApplyError(
          `move operation does not apply: doc is missing from path: ${op.from}: missing value`,
        );
      return add(remove(doc, op.from as string, 'move'), op.path, from.value as Json, 'move');
    }
    case 'copy': {
      const from = getAt(doc, parsePointer(op.from, 'copy'));
      if (!from.found)
        throw new JsonPatchApplyError(
          `copy operation does not apply: doc is missing from path: ${op.from}: missing value`,
        );
      return add(doc, op.path, from.value as Json, 'copy');
    }
    case 'test': {
      const tokens = parsePointer(op.path, 'test');
      // RFC 6902 §4.6 fails a test of a location that does not exist. evanphx/json-patch (which
      // the API server applies: apiserver handlers/patch.go answers its error as a 422 through
      // errors.NewGenericServerResponse(http.StatusUnprocessableEntity, …), its message hidden)
      // fails it when the parent is missing ("test operation does not apply: is missing path")
      // or an array index is out of range ("error in test for path"), and only takes an absent
      // key of an existing object for null, so {"value":null} passes there alone.
      const parent = tokens.length ? findParent(doc, tokens) : doc;
      if (!parent)
        throw new JsonPatchApplyError(`test operation does not apply: is missing path: ${op.path}: missing value`);
      const at = getAt(doc, tokens);
      if (!at.found && Array.isArray(parent))
        throw new JsonPatchApplyError(
          `error in test for path: '${op.path}': Unable to access invalid index: ${tokens[tokens.length - 1]}: invalid index referenced`,
        );
      const actual = at.found ? at.value : null;
      if (!deepEqual(actual, op.value ?? null))
        throw new JsonPatchApplyError(`testing value ${op.path} failed: test failed`);
      return doc;
    }
    default:
      throw new JsonPatchApplyError(`Unexpected kind: ${op.op}`);
  }
}
