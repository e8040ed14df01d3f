/**
 * Builds the Teams app package (`appPackage.zip`: manifest.json + the two icons) from the
 * template in `manifest/`, filled from the environment and validated before zipping: schema
 * (offline, bundled) and the Teams rules in `teams-rules.ts`. Any problem stops the build with
 * every problem listed, so nothing invalid is ever uploaded to Teams.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import JSZip from 'jszip';
import { validateAgainstBundledSchema } from './schema';
import { checkIcons, checkManifestFields, type TeamsManifestLike } from './teams-rules';
import { fillPlaceholders, resolveManifestVariables } from './variables';

/** Thrown when the package cannot be built; `problems` holds one line per issue. */
export class AppPackageError extends Error {
  constructor(readonly problems: string[]) {
    super(`Teams app package not built:\n- ${problems.join('\n- ')}`);
    this.name = 'AppPackageError';
  }
}

/** Options for {@link buildAppPackage}. */
export interface BuildAppPackageOptions {
  /** Where placeholder values come from, usually `process.env`. */
  env: Record<string, string | undefined>;
  /** The zip to write; parent directories are created. */
  outFile: string;
  /** Folder with `manifest.json` and the icons. Defaults to the repo's `manifest/`. */
  manifestDir?: string;
  /**
   * Told each thing the package is built with that people will trip over (e.g. a privacy link to
   * a page that does not exist). Defaults to `console.warn`, so `npm run package` prints it.
   */
  warn?: (line: string) => void;
}

/** What was built. */
export interface BuiltAppPackage {
  /** Absolute path of the zip. */
  file: string;
  /** The filled, validated manifest that is inside the zip. */
  manifest: TeamsManifestLike & Record<string, unknown>;
}

const REPO_ROOT = path.resolve(__dirname, '..', '..');

// A fixed timestamp makes the zip byte-identical for identical inputs, so a rebuilt package
// can be compared with the one that was uploaded.
const ZIP_DATE = new Date('2000-01-01T00:00:00Z');

/** Fills, validates and zips the Teams app package. Throws {@link AppPackageError} on any problem. */
export async function buildAppPackage({
  env,
  outFile,
  manifestDir,
  warn = (line) => console.warn(`Warning: ${line}`),
}: BuildAppPackageOptions): Promise<BuiltAppPackage> {
  const dir = manifestDir ?? path.join(REPO_ROOT, 'manifest');
  const pkg = JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

  const vars = resolveManifestVariables({ env, defaultVersion: pkg.version });
  if (!vars.ok) throw new AppPackageError(vars.problems);

  const template = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')) as TeamsManifestLike &
    Record<string, unknown>;
  const { filled: manifest, unknown } = fillPlaceholders(
    vars.values.TAB_APP_ID ? template : withoutTabs(template),
    vars.values,
  );
  if (unknown.length > 0) {
    throw new AppPackageError([
      `manifest.json uses placeholders nobody fills: ${unknown.map((n) => `\${{${n}}}`).join(', ')}`,
    ]);
  }

  const iconNames = [manifest.icons?.color, manifest.icons?.outline].filter((n): n is string => typeof n === 'string');
  const icons: Record<string, Uint8Array | undefined> = {};
  for (const name of iconNames) {
    // Icon names are paths inside the zip; refuse anything that would escape the folder.
    if (name.includes('..') || path.isAbsolute(name))
      throw new AppPackageError([`icon path '${name}' must be a plain file name`]);
    icons[name] = await fs.readFile(path.join(dir, name)).catch(() => undefined);
  }

  const problems = [
    ...(await validateAgainstBundledSchema(manifest)),
    ...checkManifestFields(manifest),
    ...checkIcons(manifest, icons),
  ];
  if (problems.length > 0) throw new AppPackageError(problems);

  const zip = new JSZip();
  zip.file('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`, { date: ZIP_DATE });
  for (const name of iconNames) zip.file(name, icons[name]!, { date: ZIP_DATE });
  const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', platform: 'UNIX' });

  const file = path.resolve(outFile);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, bytes);
  // Once the package is written: a warning is no reason to withhold it.
  for (const line of vars.warnings) warn(line);
  return { file, manifest };
}

/**
 * The manifest without its tabs and their single sign-on: without TAB_APP_ID the server offers no
 * tab, and a tab whose sign-on names no app registration would only fail in Teams. The bot's own
 * chat (the built-in `conversations` and `about` tabs) stays.
 */
export function withoutTabs<T extends TeamsManifestLike & Record<string, unknown>>(manifest: T): T {
  const { configurableTabs: _tabs, webApplicationInfo: _sso, ...rest } = manifest;
  const builtIn = (manifest.staticTabs ?? []).filter((t) => t.entityId === 'conversations' || t.entityId === 'about');
  return { ...rest, ...(builtIn.length && manifest.staticTabs ? { staticTabs: builtIn } : {}) } as T;
}
