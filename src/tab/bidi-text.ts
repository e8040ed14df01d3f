/**
 * Bidi controls out of what the tab sends: embeddings and overrides (U+202A–202E), isolates
 * (U+2066–2069), LRM, RLM (U+200E, U+200F) and ALM (U+061C) — the set chat cards drop
 * (domain/text.ts `withoutBidiControls`, as `inertText` does). A U+202E in a requester's name, a reason, an audit
 * detail or a role name would otherwise reverse the rest of its line in the tab and in the CSV
 * exported from it, while the same text reads plainly in chat.
 */
import { withoutBidiControls } from '../domain/text';

/**
 * A JSON answer with every string in it (object keys too) without bidi controls: applied to the
 * whole body, so a field added to the wire later is covered without anyone remembering to.
 * Anything that is not a string, an array or a plain object is returned as it is.
 */
export function withoutBidi<T>(value: T): T {
  return clean(value) as T;
}

function clean(value: unknown): unknown {
  if (typeof value === 'string') return withoutBidiControls(value);
  if (Array.isArray(value)) return value.map(clean);
  if (value === null || typeof value !== 'object') return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[withoutBidiControls(k)] = clean(v);
  return out;
}
