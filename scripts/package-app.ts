/**
 * CLI: build the Teams app package.
 *
 *   node scripts/run-ts.js scripts/package-app.ts [--out build/appPackage.zip] [--env-file .azure/<env>/.env]
 *
 * Values come from the environment (`BOT_ID` or `MicrosoftAppId`, `BOT_DOMAIN`, optional
 * `TAB_APP_ID` (the tabs are left out without it), `APP_VERSION`, `ACRBOT_*_URL`). `--env-file` reads a dotenv file first (e.g. the one azd
 * writes after `azd provision`); real environment variables win over the file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseEnv } from 'node:util';
import { AppPackageError, buildAppPackage } from './package/build-app-package';

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i === -1) return undefined;
  const v = args[i + 1];
  if (!v || v.startsWith('--')) throw new Error(`${name} needs a value`);
  return v;
}

async function main(args: string[]): Promise<number> {
  const outFile = argValue(args, '--out') ?? path.join('build', 'appPackage.zip');
  const envFile = argValue(args, '--env-file');
  const fromFile = envFile ? parseEnv(fs.readFileSync(envFile, 'utf8')) : {};
  const env = { ...fromFile, ...process.env };
  try {
    const { file, manifest } = await buildAppPackage({ env, outFile });
    console.log(
      `Teams app package: ${file}\n  app id ${manifest.id}, version ${manifest.version}, manifest ${manifest.manifestVersion}`,
    );
    const sso = (manifest as { webApplicationInfo?: { id?: string } }).webApplicationInfo?.id;
    console.log(
      sso
        ? `  tabs: My access and Access matrix, signing in with app registration ${sso}`
        : '  tabs: none (set TAB_APP_ID to the app registration of the tabs, docs/deploy.md "The tab")',
    );
    console.log('Upload it in Teams (Apps → Manage your apps → Upload an app) or in the Teams admin center.');
    return 0;
  } catch (e) {
    if (e instanceof AppPackageError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  },
);
