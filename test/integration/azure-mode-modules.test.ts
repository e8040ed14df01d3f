/**
 * Azure mode loads no sandbox code: not the emulators, not their fixtures, not node-forge (which
 * only the sandbox's TLS uses). Each mode starts in a fresh process, so `require.cache` holds
 * exactly what that start loaded. Sandbox mode is the control: the same check must see the
 * sandbox there, or it would prove nothing.
 */
import { execFile } from 'node:child_process';
import { join, sep } from 'node:path';
import { promisify } from 'node:util';
import { testWorkDir } from '../helpers/test-work-dir';

const ROOT = join(__dirname, '..', '..');
const SANDBOX_DIR = `${sep}src${sep}sandbox${sep}`;
const FORGE_DIR = `${sep}node_modules${sep}node-forge${sep}`;

const AZURE_ENV = {
  ACRBOT_MODE: 'azure',
  MicrosoftAppId: '11111111-1111-4111-8111-111111111111',
  MicrosoftAppType: 'SingleTenant',
  MicrosoftAppTenantId: '22222222-2222-4222-8222-222222222222',
  MicrosoftAppPassword: 'not-a-real-secret',
  AZURE_SUBSCRIPTION_ID: '33333333-3333-4333-8333-333333333333',
  ACRBOT_APPROVERS: '55555555-5555-4555-8555-555555555555',
};

async function modulesLoadedBy(env: Record<string, string>): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'scripts', 'run-ts.js'), join(ROOT, 'test', 'helpers', 'loaded-modules.ts')],
    {
      // Not the repository: the sandbox would write its TLS cache to the repository's .data/.
      cwd: testWorkDir(),
      // Memory storage keeps the store's modules out of the list; azure mode asks for the opt-in.
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        HOST: '127.0.0.1',
        ACRBOT_STORAGE: 'memory',
        ACRBOT_ALLOW_EPHEMERAL_STORAGE: 'true',
        ...env,
      },
    },
  );
  const line = stdout.split('\n').find((l) => l.startsWith('{"modules"'));
  if (!line) throw new Error(`no module list in: ${stdout}`);
  return (JSON.parse(line) as { modules: string[] }).modules;
}

describe('start-up loads only what the mode needs (P5)', () => {
  test('azure mode loads no sandbox module and no node-forge', async () => {
    const modules = await modulesLoadedBy(AZURE_ENV);
    expect(modules.some((m) => m.includes(`${sep}src${sep}app.ts`))).toBe(true);
    expect(modules.filter((m) => m.includes(SANDBOX_DIR))).toEqual([]);
    expect(modules.filter((m) => m.includes(FORGE_DIR))).toEqual([]);
  });

  test('azure mode loads jose with the tab’s first request, not at start (P5)', async () => {
    const modules = await modulesLoadedBy(AZURE_ENV);
    expect(modules.some((m) => m.includes(`${sep}src${sep}tab${sep}sso-token.ts`))).toBe(true);
    expect(modules.filter((m) => m.includes(`${sep}node_modules${sep}jose${sep}`))).toEqual([]);
  });

  test('a store other than SQLite does not load better-sqlite3 (its native addon) at start (P5)', async () => {
    const modules = await modulesLoadedBy(AZURE_ENV);
    expect(modules.some((m) => m.includes(`${sep}store${sep}sqlite-database.ts`))).toBe(true);
    expect(modules.filter((m) => m.includes(`${sep}node_modules${sep}better-sqlite3${sep}`))).toEqual([]);
  });

  test('sandbox mode loads jose with the first tab token its issuer signs, not at start (P5)', async () => {
    const modules = await modulesLoadedBy({ ACRBOT_MODE: 'sandbox' });
    expect(modules.some((m) => m.includes(`${SANDBOX_DIR}identity${sep}oidc-issuer.ts`))).toBe(true);
    expect(modules.filter((m) => m.includes(`${sep}node_modules${sep}jose${sep}`))).toEqual([]);
  });

  // node-forge is not part of the control: with valid cached TLS material (in the .data/ of the
  // test working directory) sandbox mode does not load it either.
  test('control: sandbox mode does load the emulators', async () => {
    const modules = await modulesLoadedBy({ ACRBOT_MODE: 'sandbox' });
    expect(modules.some((m) => m.includes(`${SANDBOX_DIR}sandbox.ts`))).toBe(true);
    expect(modules.some((m) => m.includes(`${SANDBOX_DIR}fixtures.ts`))).toBe(true);
  });
});
