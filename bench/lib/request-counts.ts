/**
 * Reading what `bench/workers/http-count-preload.ts` wrote: one JSON file per bot and counting
 * window (`<pid>-requests-<n>.json`), keys such as `PUT entity` plus breakdown keys (a kind with
 * an error status, `PUT entity 412`; a transaction's actions, indented with a leading space).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Request counts by kind, as the preload wrote them. */
export type RequestCounts = Record<string, number>;

/**
 * Waits (up to ~10 s) for bot `pid`'s counts file in `dir` that is not in `seen`, and reads it:
 * the bot writes it on its second SIGUSR2, shortly after the signal.
 */
export async function readRequestCounts(
  dir: string,
  pid: number,
  seen: ReadonlySet<string> = new Set(),
): Promise<RequestCounts> {
  for (let i = 0; i < 500; i++) {
    const file = readdirSync(dir).find((f) => !seen.has(f) && f.startsWith(`${pid}-requests-`));
    if (file) return JSON.parse(readFileSync(join(dir, file), 'utf8')) as RequestCounts;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no request counts from bot ${pid} in ${dir}`);
}

/** Requests in all: the kinds only, without their breakdown keys (statuses, transaction actions). */
export function totalRequests(counts: Iterable<[string, number]>): number {
  let total = 0;
  for (const [kind, n] of counts) if (!/ \d{3}$/.test(kind) && !kind.startsWith(' ')) total += n;
  return total;
}
