/**
 * The one string order the stores share: UTF-16 code units, as SQLite's `ORDER BY` (BINARY
 * collation) and Table Storage's row keys compare. `localeCompare` would not: it puts `a` before
 * `B` and ignores some characters, so a memory or Tables listing would disagree with SQLite's.
 */

/** Compares two strings by code units (a `sort` comparator). */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
