/**
 * Validates a Teams manifest against the official JSON schema that ships inside
 * `@microsoft/app-manifest`, strictly offline.
 *
 * `AppManifestUtils.validateAgainstSchema(manifest)` without a schema looks for a bundled file
 * and silently falls back to downloading `$schema` from developer.microsoft.com. We load the
 * bundled file ourselves and pass it in, so a version the package does not ship is a clear
 * error here instead of a network call (or a hang) in CI.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppManifestUtils, type AppManifest } from '@microsoft/app-manifest';

/** Directory of the bundled Teams schemas (`v1.0` … `v1.30`). */
export function bundledTeamsSchemaDir(): string {
  return path.join(
    path.dirname(require.resolve('@microsoft/app-manifest/package.json')),
    'build',
    'json-schemas',
    'teams',
  );
}

/** Loads the bundled schema for a manifest version such as `1.22`. Throws if it is not shipped. */
export function loadBundledTeamsSchema(manifestVersion: string): object {
  if (!/^(\d+\.\d+|devPreview)$/.test(manifestVersion))
    throw new Error(`manifestVersion '${manifestVersion}' is not a version like 1.22`);
  const file = path.join(bundledTeamsSchemaDir(), `v${manifestVersion}`, 'MicrosoftTeams.schema.json');
  if (!fs.existsSync(file))
    throw new Error(`no bundled Teams schema for manifestVersion ${manifestVersion} (looked for ${file})`);
  // Same clean-up the package applies: some schema files contain \a and \v escapes that JSON.parse rejects.
  const raw = fs.readFileSync(file, 'utf8').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b');
  return JSON.parse(raw) as object;
}

/** Returns schema violations (empty when valid). Never touches the network. */
export async function validateAgainstBundledSchema(manifest: { manifestVersion?: string }): Promise<string[]> {
  if (!manifest.manifestVersion) return ['manifestVersion is required'];
  const schema = loadBundledTeamsSchema(manifest.manifestVersion);
  // The package types the schema with ajv's JSONSchemaType; a parsed file has no static type.
  const errors = await AppManifestUtils.validateAgainstSchema(
    manifest as unknown as AppManifest,
    schema as Parameters<typeof AppManifestUtils.validateAgainstSchema>[1],
  );
  return errors.map((e) => `schema: ${e.trim()}`);
}
