/** Kubernetes label values acrbot writes (63 characters of letters, digits, `-`, `_`, `.`). */

/** A request id as a label value. */
export function identifierFor(requestId: string): string {
  return requestId.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63);
}
