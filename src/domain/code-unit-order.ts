/**
 * The one string order of machine strings: UTF-16 code units, as SQLite's `ORDER BY` (BINARY
 * collation) and Table Storage's row keys compare, and as ISO times and keys sort the same in
 * every language (the tab's expiry and newest sorts, on the server and in the page; a name the
 * user's collator ties, web/src/name-order.ts). `localeCompare` would not: it puts `a` before
 * `B` and ignores some characters, so a memory or Tables listing would disagree with SQLite's.
 * No imports: the tab's page bundles it.
 */

/** Compares two strings by code units (a `sort` comparator). */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
