/**
 * RFC 7386 JSON Merge Patch (`application/merge-patch+json`): objects merge recursively,
 * `null` deletes, and every list is replaced wholesale. That last rule is why a merge patch of
 * `metadata.finalizers` drops the finalizers already on an object, unlike a strategic merge (a
 * ServiceAccount's `imagePullSecrets` is replaced wholesale by both: it is an atomic list).
 */
import { badRequest } from '../status';
import { clone } from '../store';
import type { Json, JsonObject } from '../types';

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Applies `patch` to `target` per RFC 7386 and returns a new value. */
export function mergePatchValue(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatchValue(out[key], value);
  }
  return out;
}

/** Applies a merge patch to an object. A patch that is not a JSON object cannot yield an object: 400. */
export function applyMergePatch(doc: JsonObject, patch: unknown): JsonObject {
  if (!isObject(patch))
    throw badRequest('error decoding patch: json: cannot unmarshal into Go value of type map[string]interface {}');
  return mergePatchValue(doc, patch) as JsonObject;
}
