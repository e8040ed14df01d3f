/**
 * `.env` as acrbot reads it: the file's text parsed as Node's own loader parses it
 * (`util.parseEnv`), with two differences that decide whether a deployment runs in azure mode or
 * falls back to the sandbox (no authentication):
 *
 * - a leading UTF-8 byte order mark (Windows editors write one) is dropped: Node would keep it in
 *   the first name (`\uFEFFACRBOT_MODE`), so that variable would be silently not set;
 * - a variable the environment holds blank is filled from the file, as for an unset one: acrbot
 *   reads blank as unset (setting-value.ts), Node's loader keeps it.
 *
 * A variable the environment sets to a value wins over the file, as with Node's loader.
 */
import { parseEnv } from 'node:util';

/** The byte order mark an editor may put at the start of a UTF-8 file. */
const BOM = '\uFEFF';

/**
 * Applies `.env`'s `text` to `env`: each variable it names is set where `env` has it unset or
 * blank. Returns the names it set (never their values, which may be secrets).
 */
export function applyDotEnv(text: string, env: NodeJS.ProcessEnv): string[] {
  const parsed = parseEnv(text.startsWith(BOM) ? text.slice(BOM.length) : text);
  const applied: string[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (value === undefined || env[name]?.trim()) continue;
    env[name] = value;
    applied.push(name);
  }
  return applied;
}
