/**
 * The working directory's `.env`, read the same way by `npm start` and by the operator scripts
 * (policy:check, audit:verify/export, store:owed): applied as dotenv.ts applies it, and a file
 * that cannot be read (a directory, no permission) named as a configuration problem in one
 * sentence rather than a stack trace, so every command ends with its own "configuration
 * problem" exit code (2) instead of Node's 1, which for `audit:verify` and `store:owed` means
 * something else (a broken chain, something owed).
 *
 * Kept free of config.ts: `npm start` reads `.env` before telemetry hooks `http`, and config.ts
 * is loaded only after that (index.ts).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { applyDotEnv } from './dotenv';

/**
 * Applies `dir`'s `.env` to `env` when there is one. Returns undefined when it was applied or
 * there is none, else the problem sentence (its reason is the system error's code, which names
 * no value from the file).
 */
export function loadDotEnvFile(env: NodeJS.ProcessEnv, dir: string = process.cwd()): string | undefined {
  const path = join(dir, '.env');
  if (!existsSync(path)) return undefined;
  try {
    applyDotEnv(readFileSync(path, 'utf8'), env);
    return undefined;
  } catch (err) {
    // A directory is named in words rather than by its code (EISDIR).
    const code = (err as NodeJS.ErrnoException).code;
    const why = statSync(path, { throwIfNoEntry: false })?.isDirectory()
      ? 'it is a directory'
      : /^E[A-Z]+$/.test(code ?? '')
        ? code
        : 'not a readable file';
    return `.env in ${dir} cannot be read (${why}): make it a readable file of NAME=value lines, or remove it`;
  }
}
