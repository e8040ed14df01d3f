/** Where the preload finds src/app.ts, and what runs before `startApp` (both optional). */
export interface StartAppHookOptions {
  /**
   * JavaScript source run, awaited, before `startApp` is called (same scope as `afterStart`, so
   * what it declares `afterStart` may use).
   */
  beforeStart?: string;
  /**
   * The absolute path of src/app.ts, for a bot run outside the repository (test-work-dir.ts);
   * by default it is found from the working directory.
   */
  appFile?: string;
}

/**
 * The source of a preload (`node -r`) for a bot process run from `src/index.ts`: it wraps
 * `startApp` of `src/app.ts` so that `afterStart` (JavaScript source, with `app`, `path` and
 * `process` in scope, awaited) runs once the app has started, before `startApp` returns it.
 * Tests use it to act on a real process at a known point (crash it, hold it, fail its stop).
 */
export function startAppHookPreload(afterStart: string, options: StartAppHookOptions = {}): string {
  const appFile = options.appFile ? JSON.stringify(options.appFile) : "path.join(process.cwd(), 'src', 'app.ts')";
  return `
const Module = require('node:module');
const path = require('node:path');
const appFile = ${appFile};
const require0 = Module.prototype.require;
Module.prototype.require = function (id) {
  const exported = require0.apply(this, arguments);
  if (!exported || typeof exported.startApp !== 'function') return exported;
  if (Module._resolveFilename(id, this) !== appFile) return exported;
  const startApp = exported.startApp;
  return {
    ...exported,
    startApp: async (...args) => {
${options.beforeStart ?? ''}
      const app = await startApp(...args);
${afterStart}
      return app;
    },
  };
};
`;
}
