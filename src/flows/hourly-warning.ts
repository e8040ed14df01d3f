/**
 * Warnings at most once an hour per (message, key), on the clock the caller passes: a failure
 * that recurs on every request or plan (a directory read acrbot is refused, a registry whose
 * listings it is refused) tells the operators as well in one line an hour as in one per request,
 * and the log stays readable. Per message, so one reader's warning never hides another's; per
 * `key` (a registry, say), so one subject's warning never hides another's.
 */

/** How often, at most, one {@link HourlyWarnings} finds the same (message, key) due. */
export const HOURLY_WARN_EVERY_MS = 3_600_000;

/**
 * When each (message, key) was last warned, on the clock the caller passes: only to space the
 * warnings, nothing is decided by it. Its state is its holder's: a module that keeps one in a
 * constant spaces its warnings per process (a restart, or another replica, warns again).
 */
export class HourlyWarnings {
  private readonly lastWarnedMs = new Map<string, number>();

  /**
   * Whether `message` is to be warned of `key` at `nowMs` (the caller's clock: an injected one
   * where the caller has it, so a test moves it rather than waits): not when this said so for
   * the same (message, key) less than {@link HOURLY_WARN_EVERY_MS} before. A yes is recorded as
   * a warning: the caller logs it. The caller logs, not this, so each message stays written at
   * its own `log.warn` (test/unit/ops-log-messages.test.ts reads them there).
   */
  due(message: string, key: string, nowMs: number): boolean {
    const at = `${message}\n${key}`;
    if (nowMs - (this.lastWarnedMs.get(at) ?? -Infinity) < HOURLY_WARN_EVERY_MS) return false;
    // Those past their hour would warn anyway: dropped, so the map holds only the last hour's.
    for (const [k, warnedMs] of this.lastWarnedMs)
      if (nowMs - warnedMs >= HOURLY_WARN_EVERY_MS) this.lastWarnedMs.delete(k);
    this.lastWarnedMs.set(at, nowMs);
    return true;
  }

  /** Forgets every warning, so each is logged again (tests: the spacing outlives one test). */
  reset(): void {
    this.lastWarnedMs.clear();
  }
}
