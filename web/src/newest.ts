/**
 * Loads where only the newest may draw. Each action reloads the page's data; two reloads may be
 * under way at once (two actions in quick succession), and the older may answer last: drawn, it
 * would show data older than what is already on the page (a revoked grant back as active, with
 * Revoke). So each load is numbered, and only the newest one started draws, or reports its failure.
 */
export interface NewestOnly {
  /**
   * Runs `load`; when it is still the newest started, `draw` its result (or throw its error).
   * Resolves true when it drew, false when a newer load had started meanwhile.
   */
  run<T>(load: () => Promise<T>, draw: (value: T) => void): Promise<boolean>;
}

export function newestOnly(): NewestOnly {
  let started = 0;
  return {
    async run<T>(load: () => Promise<T>, draw: (value: T) => void): Promise<boolean> {
      const mine = ++started;
      let value: T;
      try {
        value = await load();
      } catch (err) {
        // A newer load will draw, or say why it could not: an older failure is no news.
        if (mine !== started) return false;
        throw err;
      }
      if (mine !== started) return false;
      draw(value);
      return true;
    },
  };
}
