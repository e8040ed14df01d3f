/**
 * The order the page sorts names in (clusters, registries, requesters): the user's language's,
 * as Teams gives it (`app.getContext()`'s locale, host.ts), else the browser's
 * (`navigator.language`). `localeCompare` without a locale sorted in whatever the runtime's
 * default was, and built the language's rules again for each of the thousands of comparisons a
 * large matrix's sort makes; here one collator serves every sort of the page, made once, when
 * the host is known ({@link sortNamesIn}), or at the first comparison.
 *
 * Digits as numbers ("aks-2" before "aks-10"). Every difference counts (the collator's default
 * sensitivity when sorting): names that differ only in case or accents are still ordered, by
 * their letters first. Numbers compared as numbers make "aks-01" and "aks-1" equal, though: two
 * different clusters whose rows would then mix, so names the collator ties are ordered as written
 * ({@link compareNames}), and no two different names tie. Machine strings (timestamps, keys) are
 * not names and are not sorted here.
 */

import { compareCodeUnits } from '../../src/domain/code-unit-order';

const OPTIONS: Intl.CollatorOptions = { numeric: true };

let collator: Intl.Collator | undefined;

/** A collator for `locale`, else the browser's language; one Intl does not know is the runtime's default. */
function collatorFor(locale: string | undefined): Intl.Collator {
  // Through globalThis: the unit tests compile this without the DOM's types, and run it where
  // there may be no navigator.
  const browser = (globalThis as { navigator?: { language?: string } }).navigator?.language;
  const wanted = locale || browser || undefined;
  try {
    return new Intl.Collator(wanted, OPTIONS);
  } catch (err) {
    // A malformed tag (RangeError): sorting must not stop the page from drawing.
    if (err instanceof RangeError) return new Intl.Collator(undefined, OPTIONS);
    throw err;
  }
}

/**
 * Sorts names in `locale` from now on (Teams' locale, e.g. "sv-se"; undefined: the browser's
 * language). Called once, when the host is detected, before anything is drawn.
 */
export function sortNamesIn(locale: string | undefined): void {
  collator = collatorFor(locale);
}

/**
 * Compares two names in the user's language ({@link sortNamesIn}); names it ties that are not the
 * same ("aks-01" and "aks-1") by their code units, so that each name's rows stay together.
 */
export function compareNames(a: string, b: string): number {
  collator ??= collatorFor(undefined);
  return collator.compare(a, b) || compareCodeUnits(a, b);
}

/**
 * `items` sorted by name in the user's language; a stable sort, so those of one name keep the
 * order they came in (the API's, which breaks such ties by resource id).
 */
export function byName<T extends { name: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => compareNames(a.name, b.name));
}
