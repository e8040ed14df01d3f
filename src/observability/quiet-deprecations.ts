/**
 * restify 11 reads `process.binding('http_parser')` when it loads, and Node prints a DEP0111
 * deprecation warning for it at every start: noise a newcomer mistakes for a problem, about
 * code acrbot does not own. This drops exactly that warning (by its code) and passes every
 * other warning through unchanged; `node --trace-deprecation` still shows it.
 */

/** Installs the filter; call before restify is loaded. Idempotent. */
export function silenceRestifyHttpParserWarning(): void {
  if (process.execArgv.includes('--trace-deprecation') || installed) return;
  installed = true;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const options = rest[0];
    const code =
      warning instanceof Error
        ? (warning as { code?: string }).code
        : typeof options === 'object' && options
          ? (options as { code?: string }).code
          : rest[1];
    if (code === 'DEP0111' && String(warning instanceof Error ? warning.message : warning).includes('http_parser'))
      return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}

let installed = false;
