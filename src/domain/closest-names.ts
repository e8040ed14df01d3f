/** "Did you mean" suggestions for names the bot could not find. */

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/**
 * Up to `limit` candidates closest to `wanted` (case-insensitive), best first. Candidates
 * sharing a prefix or substring rank ahead; wildly different names are left out.
 */
export function closestNames(wanted: string, candidates: readonly string[], limit = 3): string[] {
  const w = wanted.toLowerCase();
  const scored = [...new Set(candidates)].map((name) => {
    const n = name.toLowerCase();
    const distance = editDistance(w, n) - (n.includes(w) || w.includes(n) ? 2 : 0);
    return { name, distance };
  });
  const cutoff = Math.max(3, Math.ceil(w.length / 2));
  return scored
    .filter((s) => s.distance <= cutoff)
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map((s) => s.name);
}
