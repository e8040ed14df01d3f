/**
 * PATCH dispatch on Content-Type, as the API server's patch handler does. Server-side apply
 * (`application/apply-patch+yaml`) is not emulated, so it is rejected like any other unknown
 * type with 415.
 */
import { unsupportedMediaType } from '../status';
import type { JsonObject } from '../types';
import { applyJsonPatch, decodeJsonPatch, type JsonPatchApplyError } from './json-patch';
import { applyMergePatch } from './merge-patch';
import { applyStrategicMergePatch, type MergeSchema } from './strategic-merge-patch';

/** The PATCH media types the emulator accepts, in the order the 415 message lists them. */
export const PATCH_CONTENT_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
] as const;

/** One of {@link PATCH_CONTENT_TYPES}. */
export type PatchContentType = (typeof PATCH_CONTENT_TYPES)[number];

/** Strips parameters (`; charset=utf-8`) and case; throws 415 when the type is not supported. */
export function patchTypeOf(contentType: string | undefined): PatchContentType {
  const bare = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const found = PATCH_CONTENT_TYPES.find((t) => t === bare);
  if (!found) throw unsupportedMediaType(PATCH_CONTENT_TYPES);
  return found;
}

/** Applies a decoded PATCH body to the current object; returns the patched copy. */
export function applyPatch(
  type: PatchContentType,
  current: JsonObject,
  patch: unknown,
  schema: MergeSchema,
  onJsonPatchError?: (e: JsonPatchApplyError) => void,
): JsonObject {
  switch (type) {
    case 'application/json-patch+json':
      return applyJsonPatch(current, decodeJsonPatch(patch), onJsonPatchError);
    case 'application/merge-patch+json':
      return applyMergePatch(current, patch);
    case 'application/strategic-merge-patch+json':
      return applyStrategicMergePatch(current, patch, schema);
  }
}

export { applyJsonPatch, decodeJsonPatch, JsonPatchApplyError, type JsonPatchOperation } from './json-patch';
export { applyMergePatch, mergePatchValue } from './merge-patch';
export {
  applyStrategicMergePatch,
  OBJECT_META_MERGE_RULES,
  type ListMergeRule,
  type MergeSchema,
} from './strategic-merge-patch';
