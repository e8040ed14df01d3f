/**
 * Strategic merge patch (`application/strategic-merge-patch+json`), what `kubectl patch`
 * sends by default. Like a merge patch, except that lists the Go types tag with
 * `patchStrategy:"merge"` are merged element by element on their `patchMergeKey`.
 * For the resources served here those lists are ServiceAccount `secrets` (key `name`),
 * `metadata.ownerReferences` (key `uid`) and `metadata.finalizers` (a merged list of strings).
 * A ServiceAccount's `imagePullSecrets` is not among them: core/v1 tags it with no patch
 * strategy (unlike a pod's), so a patch replaces the whole list (resources.ts). The `$patch` (`replace`/`delete`/`merge`) and
 * `$deleteFromPrimitiveList/<field>` directives are honoured; `$setElementOrder/<field>` and
 * `$retainKeys` (ordering and pruning hints from `kubectl apply`) are accepted and ignored.
 */
import { badRequest } from '../status';
import { clone } from '../store';
import type { Json, JsonObject } from '../types';

/** How a list at a given path merges: by a key in its elements, or as a set of primitives. */
export type ListMergeRule = { mergeKey: string } | { primitive: true };

/** Merge rules by dotted path from the object root, e.g. `secrets` or `metadata.finalizers`. */
export type MergeSchema = Record<string, ListMergeRule>;

/** Rules shared by every object through ObjectMeta. */
export const OBJECT_META_MERGE_RULES: MergeSchema = {
  'metadata.ownerReferences': { mergeKey: 'uid' },
  'metadata.finalizers': { primitive: true },
};

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Applies a strategic merge patch to `doc` using `schema` for list semantics. Returns a new object. */
export function applyStrategicMergePatch(doc: JsonObject, patch: unknown, schema: MergeSchema): JsonObject {
  if (!isObject(patch)) throw badRequest('json: cannot unmarshal into Go value of type map[string]interface {}');
  const merged = mergeMap(clone(doc), patch, '', schema);
  return merged ?? {};
}

/** Returns the merged map, or undefined when the patch deletes the whole map (`$patch: delete`). */
function mergeMap(original: JsonObject, patch: JsonObject, path: string, schema: MergeSchema): JsonObject | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') {
    const replaced = clone(patch);
    delete replaced.$patch;
    return replaced;
  }
  if (directive !== undefined && directive !== 'merge') throw badRequest(`Unknown patch type: ${String(directive)}`);

  const out = original;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      if (!Array.isArray(value)) throw badRequest('invalid patch format for primitive list');
      const current = out[field];
      if (Array.isArray(current)) out[field] = current.filter((item) => !value.some((v) => v === item));
      continue;
    }
    const childPath = path ? `${path}.${key}` : key;
    if (value === null) {
      delete out[key];
    } else if (isObject(value)) {
      const merged = mergeMap(isObject(out[key]) ? (out[key] as JsonObject) : {}, value, childPath, schema);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else if (Array.isArray(value)) {
      out[key] = mergeList(Array.isArray(out[key]) ? (out[key] as Json[]) : [], value, childPath, schema);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function mergeList(original: Json[], patch: Json[], path: string, schema: MergeSchema): Json[] {
  // A `{"$patch":"replace"}` element means "the rest of this list replaces the original".
  if (patch.some((e) => isObject(e) && e.$patch === 'replace')) {
    return clone(patch.filter((e) => !(isObject(e) && e.$patch === 'replace')));
  }
  const rule = schema[path];
  if (!rule) return clone(patch);
  if ('primitive' in rule) {
    const out = [...original];
    for (const item of patch) if (!out.some((o) => o === item)) out.push(item);
    return out;
  }
  const key = rule.mergeKey;
  const out = [...original];
  for (const item of patch) {
    if (!isObject(item)) throw badRequest(`unable to find api field in struct for the merge key "${key}"`);
    const id = item[key];
    if (id === undefined) throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    const at = out.findIndex((o) => isObject(o) && o[key] === id);
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) {
      const merged = mergeMap(out[at] as JsonObject, item, path, {});
      if (merged === undefined) out.splice(at, 1);
      else out[at] = merged;
    } else {
      const fresh = clone(item);
      delete fresh.$patch;
      out.push(fresh);
    }
  }
  return out;
}
