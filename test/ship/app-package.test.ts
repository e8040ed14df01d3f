/**
 * The Teams app package: built from manifest/ with a test GUID, unzipped and checked the way
 * Teams would look at it (schema, ids, commands, icons), plus the errors a deployer sees when
 * the environment is incomplete.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import JSZip from 'jszip';
import { AppPackageError, buildAppPackage } from '../../scripts/package/build-app-package';
import { decodePng, encodePng, readPngHeader } from '../../scripts/package/png';
import { validateAgainstBundledSchema } from '../../scripts/package/schema';
import { checkIcons, checkManifestFields, type TeamsManifestLike } from '../../scripts/package/teams-rules';
import { drawColorIcon, drawOutlineIcon } from '../../scripts/draw-icons';

const TEST_BOT_ID = '6f1c2b6e-1c1d-4b1c-9a1e-0d7f3e6a9b21';
const TEST_DOMAIN = 'acrbot-test.azurewebsites.net';
/** The tabs' own app registration (a managed-identity bot has none to share). */
const TEST_TAB_APP_ID = '7a000000-0000-4000-8000-0000000000a7';
const MANIFEST_DIR = path.resolve(__dirname, '..', '..', 'manifest');

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'acrbot-pkg-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** For builds whose warnings (the default links) are checked elsewhere. */
const quiet = (): void => undefined;

async function unzip(file: string): Promise<{ names: string[]; manifest: any; files: Record<string, Uint8Array> }> {
  const zip = await JSZip.loadAsync(fs.readFileSync(file));
  const names = Object.keys(zip.files).sort();
  const files: Record<string, Uint8Array> = {};
  for (const n of names) files[n] = await zip.file(n)!.async('uint8array');
  return { names, manifest: JSON.parse(Buffer.from(files['manifest.json']).toString('utf8')), files };
}

describe('Teams app package', () => {
  let built: { names: string[]; manifest: any; files: Record<string, Uint8Array> };
  /** What the build warned about (no ACRBOT_*_URL is set). */
  const warnings: string[] = [];

  beforeAll(async () => {
    // Validation must be offline: any network call fails the build of this test.
    const fetchSpy = jest.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('network used'));
    try {
      const out = path.join(tmp, 'nested', 'appPackage.zip');
      const res = await buildAppPackage({
        env: { BOT_ID: TEST_BOT_ID, BOT_DOMAIN: TEST_DOMAIN, TAB_APP_ID: TEST_TAB_APP_ID },
        outFile: out,
        warn: (line) => warnings.push(line),
      });
      expect(res.file).toBe(out);
      built = await unzip(out);
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it('contains exactly manifest.json and the two icons at the root', () => {
    expect(built.names).toEqual(['color.png', 'manifest.json', 'outline.png']);
  });

  it('fills the bot id into id and botId and leaves no placeholder', () => {
    const m = built.manifest;
    expect(m.id).toBe(TEST_BOT_ID);
    expect(m.bots).toHaveLength(1);
    expect(m.bots[0].botId).toBe(TEST_BOT_ID);
    expect(JSON.stringify(m)).not.toContain('${{');
    expect(m.validDomains).toEqual([TEST_DOMAIN]);
    expect(m.version).toBe(require('../../package.json').version);
    expect(m.developer.privacyUrl).toMatch(/^https:\/\//);
  });

  it("warns that the links left to their default point at the bot's host, which serves no page", () => {
    expect(built.manifest.developer.privacyUrl).toBe(`https://${TEST_DOMAIN}/`);
    expect(warnings).toEqual([
      `ACRBOT_WEBSITE_URL, ACRBOT_PRIVACY_URL, ACRBOT_TERMS_URL not set: the app's website, privacy, terms of use links point at https://${TEST_DOMAIN}/, where acrbot serves no page. Set them to your organisation's pages (docs/deploy.md "Package and install the Teams app").`,
    ]);
  });

  it("names only the links left to the bot's host, and none once the website is the organisation's", async () => {
    const build = async (urls: Record<string, string>) => {
      const said: string[] = [];
      await buildAppPackage({
        env: { BOT_ID: TEST_BOT_ID, BOT_DOMAIN: TEST_DOMAIN, ...urls },
        outFile: path.join(tmp, 'urls', 'appPackage.zip'),
        warn: (line) => said.push(line),
      });
      return said;
    };
    const privacy = { ACRBOT_PRIVACY_URL: 'https://contoso.example/privacy' };
    expect(await build(privacy)).toEqual([
      expect.stringMatching(/^ACRBOT_WEBSITE_URL, ACRBOT_TERMS_URL not set: the app's website, terms of use links/),
    ]);
    // The privacy and terms links default to the website: the organisation's own page.
    expect(await build({ ACRBOT_WEBSITE_URL: 'https://contoso.example/' })).toEqual([]);
    expect(
      await build({
        ...privacy,
        ACRBOT_WEBSITE_URL: 'https://contoso.example/',
        ACRBOT_TERMS_URL: 'https://x.example/',
      }),
    ).toEqual([]);
  });

  it('says in its description which requests need no approval and which role ABAC registries get', () => {
    const full = String(built.manifest.description.full);
    // Not "every request waits for an approver": break-glass runs at once, autoApprove rules approve on creation.
    expect(full).toMatch(/break-glass grant, which runs at once/);
    expect(full).toContain('autoApprove');
    expect(full).toContain('Repository Reader on ABAC-mode registries');
    expect(full.length).toBeLessThanOrEqual(4000);
    expect(String(built.manifest.description.short).length).toBeLessThanOrEqual(80);
  });

  it('uses a recent manifest schema whose URL matches manifestVersion', () => {
    const [major, minor] = String(built.manifest.manifestVersion).split('.').map(Number);
    expect(major).toBe(1);
    expect(minor).toBeGreaterThanOrEqual(17);
    expect(built.manifest.$schema).toBe(
      `https://developer.microsoft.com/json-schemas/teams/v${built.manifest.manifestVersion}/MicrosoftTeams.schema.json`,
    );
  });

  it('is valid against the bundled official schema', async () => {
    await expect(validateAgainstBundledSchema(built.manifest)).resolves.toEqual([]);
  });

  it('offers the "My access" personal tab (keeping the chat), the configurable "Access matrix" tab and SSO', () => {
    const m = built.manifest;
    expect(m.staticTabs[0]).toEqual({ entityId: 'conversations', scopes: ['personal'] });
    expect(m.staticTabs[1]).toMatchObject({
      name: 'My access',
      contentUrl: `https://${TEST_DOMAIN}/tabs/personal`,
      scopes: ['personal'],
    });
    expect(m.configurableTabs[0]).toMatchObject({
      configurationUrl: `https://${TEST_DOMAIN}/tabs/config`,
      scopes: ['team', 'groupChat'],
    });
    expect(m.webApplicationInfo).toEqual({ id: TEST_TAB_APP_ID, resource: `api://${TEST_DOMAIN}/${TEST_TAB_APP_ID}` });
  });

  it('refuses tab URLs outside validDomains and an SSO resource for another app', () => {
    const m = structuredClone(built.manifest) as TeamsManifestLike & Record<string, any>;
    m.staticTabs![1]!.contentUrl = 'https://elsewhere.example.com/tabs/personal';
    m.webApplicationInfo = { id: TEST_TAB_APP_ID, resource: `api://${TEST_DOMAIN}/not-a-guid` };
    const problems = checkManifestFields(m);
    expect(problems).toEqual(
      expect.arrayContaining([
        "staticTabs[1].contentUrl host 'elsewhere.example.com' is not in validDomains",
        expect.stringMatching(/^webApplicationInfo.resource must be api:\/\/<domain>\/<app id>/),
      ]),
    );
  });

  it('leaves the tabs and their sign-on out without TAB_APP_ID, as the server offers none without ACRBOT_TAB_APP_ID', async () => {
    const out = path.join(tmp, 'no-tabs', 'appPackage.zip');
    const built = await buildAppPackage({
      env: { BOT_ID: TEST_BOT_ID, BOT_DOMAIN: TEST_DOMAIN },
      outFile: out,
      warn: quiet,
    });
    const m = (await unzip(out)).manifest;
    expect(built.manifest).toEqual(m);
    expect(m.staticTabs).toEqual([{ entityId: 'conversations', scopes: ['personal'] }]);
    expect(m).not.toHaveProperty('configurableTabs');
    expect(m).not.toHaveProperty('webApplicationInfo');
    await expect(validateAgainstBundledSchema(m)).resolves.toEqual([]);
    expect([m.id, m.bots[0].botId]).toEqual([TEST_BOT_ID, TEST_BOT_ID]);
  });

  it('refuses an SSO resource naming another app than its id, and a TAB_APP_ID that is not a GUID', async () => {
    const mixed = structuredClone(built.manifest) as TeamsManifestLike & Record<string, any>;
    mixed.webApplicationInfo = { id: TEST_TAB_APP_ID, resource: `api://${TEST_DOMAIN}/${TEST_BOT_ID}` };
    expect(checkManifestFields(mixed)).toEqual([
      `webApplicationInfo.resource names app ${TEST_BOT_ID}, not webApplicationInfo.id (${TEST_TAB_APP_ID})`,
    ]);
    const out = path.join(tmp, 'bad-tab', 'appPackage.zip');
    await expect(
      buildAppPackage({ env: { BOT_ID: TEST_BOT_ID, BOT_DOMAIN: TEST_DOMAIN, TAB_APP_ID: 'tab' }, outFile: out }),
    ).rejects.toThrow(/TAB_APP_ID must be a GUID/);
  });

  it('offers the bot in personal, team and group chat scopes', () => {
    expect([...built.manifest.bots[0].scopes].sort()).toEqual(['groupChat', 'personal', 'team']);
  });

  it('lists every command with a short description', () => {
    const lists = built.manifest.bots[0].commandLists as Array<{
      scopes: string[];
      commands: Array<{ title: string; description: string }>;
    }>;
    const titles = lists.flatMap((l) => l.commands.map((c) => c.title));
    // Teams shows at most 10 per list: the everyday ones (policy, check, pause and resume are in help).
    expect(new Set(titles)).toEqual(
      new Set(['help', 'grant', 'secret', 'status', 'pending', 'audit', 'cancel', 'revoke', 'extend', 'access']),
    );
    for (const l of lists) {
      expect(l.commands.length).toBeLessThanOrEqual(10);
      for (const c of l.commands) {
        expect(c.title.length).toBeLessThanOrEqual(32);
        expect(c.description.length).toBeGreaterThan(0);
        expect(c.description.length).toBeLessThanOrEqual(128);
        expect(c.description).not.toContain('\n');
        // Pasted, an option in the usage's square brackets is refused ([--for 30d]): none is written so.
        expect(c.description).not.toMatch(/\[--?[a-z]/i);
        // Placeholders in capitals, as the help card writes them: no <angle> or [square] brackets,
        // which pasted became part of the names or the reason.
        expect(c.description).not.toMatch(/[<>[\]]/);
      }
    }
    const grant = lists[0].commands.find((c) => c.title === 'grant')!;
    expect(grant.description).toContain('grant CLUSTER REGISTRY REASON…');
    const revoke = lists[0].commands.find((c) => c.title === 'revoke')!;
    expect(revoke.description).toContain('revoke REQUEST-ID REASON…');
    const audit = lists[0].commands.find((c) => c.title === 'audit')!;
    expect(audit.description).toContain('audit N, audit REQUEST-ID or audit verify');
    const secret = lists[0].commands.find((c) => c.title === 'secret')!;
    expect(secret.description).toContain('--kind token|sp');
  });

  it('ships icons of the sizes Teams requires, the outline white on transparent', () => {
    expect(readPngHeader(built.files['color.png'])).toMatchObject({ width: 192, height: 192 });
    expect(readPngHeader(built.files['outline.png'])).toMatchObject({ width: 32, height: 32 });
    const outline = decodePng(built.files['outline.png']);
    const alphas = new Set<number>();
    for (let i = 0; i < outline.data.length; i += 4) {
      alphas.add(outline.data[i + 3]);
      if (outline.data[i + 3] > 0)
        expect([outline.data[i], outline.data[i + 1], outline.data[i + 2]]).toEqual([255, 255, 255]);
    }
    expect(alphas.has(0)).toBe(true);
    expect(alphas.has(255)).toBe(true);
  });

  it('accepts MicrosoftAppId (the name the bot reads) instead of BOT_ID', async () => {
    const out = path.join(tmp, 'by-app-id.zip');
    const { manifest } = await buildAppPackage({
      env: { MicrosoftAppId: TEST_BOT_ID.toUpperCase(), BOT_DOMAIN: TEST_DOMAIN, APP_VERSION: '2.3.4' },
      outFile: out,
      warn: quiet,
    });
    expect(manifest.id).toBe(TEST_BOT_ID);
    expect(manifest.version).toBe('2.3.4');
  });
});

describe('Teams app package: refusals', () => {
  const build = (env: Record<string, string | undefined>) =>
    buildAppPackage({ env, outFile: path.join(tmp, 'refused.zip') });

  it('names every missing variable and writes nothing', async () => {
    const err = await build({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppPackageError);
    expect((err as Error).message).toMatch(/missing environment variables/);
    expect((err as Error).message).toContain('BOT_ID (or MicrosoftAppId)');
    expect((err as Error).message).toContain('BOT_DOMAIN');
    expect(fs.existsSync(path.join(tmp, 'refused.zip'))).toBe(false);
  });

  it('names only BOT_ID when the domain is set', async () => {
    const err = (await build({ BOT_DOMAIN: TEST_DOMAIN }).catch((e: unknown) => e)) as AppPackageError;
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toContain('BOT_ID');
    expect(err.problems[0]).not.toContain('BOT_DOMAIN');
  });

  it('rejects a bot id that is not a GUID', async () => {
    await expect(build({ BOT_ID: 'acrbot', BOT_DOMAIN: TEST_DOMAIN })).rejects.toThrow(
      /BOT_ID must be a GUID.*'acrbot'/,
    );
  });

  it('rejects a domain given as a URL', async () => {
    await expect(build({ BOT_ID: TEST_BOT_ID, BOT_DOMAIN: `https://${TEST_DOMAIN}/` })).rejects.toThrow(
      /bare host name/,
    );
  });

  it('rejects a version that is not semver', async () => {
    await expect(build({ BOT_ID: TEST_BOT_ID, BOT_DOMAIN: TEST_DOMAIN, APP_VERSION: 'v1' })).rejects.toThrow(
      /version must be semver/,
    );
  });

  it('rejects placeholders nobody fills', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'tpl-'));
    for (const f of ['color.png', 'outline.png']) fs.copyFileSync(path.join(MANIFEST_DIR, f), path.join(dir, f));
    const tpl = JSON.parse(fs.readFileSync(path.join(MANIFEST_DIR, 'manifest.json'), 'utf8'));
    tpl.name.short = '${{TYPO_NAME}}';
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(tpl));
    await expect(
      buildAppPackage({
        env: { BOT_ID: TEST_BOT_ID, BOT_DOMAIN: TEST_DOMAIN },
        outFile: path.join(dir, 'x.zip'),
        manifestDir: dir,
      }),
    ).rejects.toThrow(/\$\{\{TYPO_NAME\}\}/);
  });
});

describe('Teams rules the schema does not cover', () => {
  // Drawing is pure but takes a few seconds under Jest; draw once for the tests below.
  let drawn: { color: ReturnType<typeof drawColorIcon>; outline: ReturnType<typeof drawOutlineIcon> };
  beforeAll(() => {
    drawn = { color: drawColorIcon(), outline: drawOutlineIcon() };
  });

  const valid = (): TeamsManifestLike => ({
    $schema: 'https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json',
    manifestVersion: '1.22',
    version: '1.0.0',
    id: TEST_BOT_ID,
    developer: {
      name: 'x',
      websiteUrl: 'https://a.example/',
      privacyUrl: 'https://a.example/',
      termsOfUseUrl: 'https://a.example/',
    },
    name: { short: 'acrbot' },
    description: { short: 's', full: 'f' },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: '#0F6CBD',
    bots: [
      {
        botId: TEST_BOT_ID,
        scopes: ['personal'],
        commandLists: [{ scopes: ['personal'], commands: [{ title: 'help', description: 'help' }] }],
      },
    ],
  });

  it('accepts a valid manifest', () => expect(checkManifestFields(valid())).toEqual([]));

  it('requires botId = id', () => {
    const m = valid();
    m.bots![0].botId = '11111111-2222-4333-8444-555555555555';
    expect(checkManifestFields(m).join()).toMatch(/botId .* must equal id/);
  });

  it('enforces command limits', () => {
    const m = valid();
    m.bots![0].commandLists![0].commands = Array.from({ length: 11 }, (_, i) => ({ title: `c${i}`, description: 'd' }));
    m.bots![0].commandLists![0].commands![0] = { title: 'x'.repeat(33), description: 'y'.repeat(129) };
    const problems = checkManifestFields(m).join('\n');
    expect(problems).toMatch(/11 commands/);
    expect(problems).toMatch(/title is 33 characters/);
    expect(problems).toMatch(/description is 129 characters/);
  });

  it('rejects wrong icon sizes, non-PNG files and coloured outline pixels', () => {
    const colour = encodePng(drawn.color);
    const good = encodePng(drawn.outline);
    expect(checkIcons(valid(), { 'color.png': colour, 'outline.png': good })).toEqual([]);
    const problems = checkIcons(valid(), { 'color.png': good, 'outline.png': colour }).join('\n');
    expect(problems).toMatch(/color 'color.png' is 32×32/);
    expect(problems).toMatch(/outline 'outline.png' is 192×192/);
    expect(problems).toMatch(/non-white pixels/);
    expect(problems).toMatch(/no transparent pixels/);
    expect(checkIcons(valid(), { 'color.png': Buffer.from('GIF89a'), 'outline.png': undefined }).join('\n')).toMatch(
      /not a PNG[\s\S]*not found/,
    );
  });

  it('the committed icons are what draw-icons.ts produces', () => {
    expect(decodePng(fs.readFileSync(path.join(MANIFEST_DIR, 'color.png'))).data).toEqual(drawn.color.data);
    expect(decodePng(fs.readFileSync(path.join(MANIFEST_DIR, 'outline.png'))).data).toEqual(drawn.outline.data);
  });

  it('the bundled schema catches what Teams would reject', async () => {
    const m = { ...valid(), id: 'not-a-guid', accentColor: 'blue' };
    const errors = await validateAgainstBundledSchema(m);
    expect(errors.join('\n')).toMatch(/\/id/);
    expect(errors.join('\n')).toMatch(/\/accentColor/);
  });
});

describe('npm run package (node scripts/run-ts.js scripts/package-app.ts)', () => {
  const ROOT = path.resolve(__dirname, '..', '..');
  // A clean environment: the developer's own BOT_ID / MicrosoftAppId must not leak in.
  const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  const run = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, ['scripts/run-ts.js', 'scripts/package-app.ts', ...args], {
      cwd: ROOT,
      env: { ...baseEnv, ...env },
      encoding: 'utf8',
    });

  it('writes the zip and exits 0', () => {
    const out = path.join(tmp, 'cli', 'appPackage.zip');
    const res = run(['--out', out], {
      BOT_ID: TEST_BOT_ID,
      BOT_DOMAIN: TEST_DOMAIN,
      ACRBOT_WEBSITE_URL: 'https://contoso.example/',
    });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain(TEST_BOT_ID);
    expect(fs.existsSync(out)).toBe(true);
  });

  it("prints a warning when the privacy and terms links are left to the bot's host, and still writes the zip", () => {
    const out = path.join(tmp, 'cli', 'default-urls.zip');
    const res = run(['--out', out], { BOT_ID: TEST_BOT_ID, BOT_DOMAIN: TEST_DOMAIN });
    expect(res.status).toBe(0);
    expect(res.stderr).toMatch(
      /^Warning: ACRBOT_WEBSITE_URL, ACRBOT_PRIVACY_URL, ACRBOT_TERMS_URL not set:.*serves no page/,
    );
    expect(fs.existsSync(out)).toBe(true);
  });

  it('reads an azd-style env file, and exits 1 listing what is missing', () => {
    const envFile = path.join(tmp, 'azd.env');
    fs.writeFileSync(envFile, `BOT_ID="${TEST_BOT_ID}"\nBOT_DOMAIN="${TEST_DOMAIN}"\n`);
    expect(run(['--out', path.join(tmp, 'cli', 'from-file.zip'), '--env-file', envFile], {}).status).toBe(0);
    const res = run(['--out', path.join(tmp, 'cli', 'none.zip')], {});
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/missing environment variables:[\s\S]*BOT_ID \(or MicrosoftAppId\)[\s\S]*BOT_DOMAIN/);
  });
});
