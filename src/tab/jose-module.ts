/**
 * `jose`, loaded on first use: only the tab's API needs it (Teams SSO tokens), on its first
 * request, and loading it at start cost ~30 ms of azure mode's cold start (P5,
 * docs/performance.md). `test/integration/azure-mode-modules.test.ts` checks it is not loaded
 * at start.
 */
import type * as Jose from 'jose';

let loaded: typeof Jose | undefined;

/** The `jose` module (required once). */
export function jose(): typeof Jose {
  return (loaded ??= require('jose') as typeof Jose);
}
