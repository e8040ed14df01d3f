/**
 * The App Service settings the templates write, against what the bot and App Service read:
 * every setting is one the bot reads or a platform setting, the custom-container settings stay
 * off a zip (code) deployment, and the tab's host reaches the bot in the lower case it requires.
 * Bicep cannot be compiled here, so the templates are read as text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { SETTINGS } from '../../src/config/settings-schema';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), 'utf8');
const main = read('infra/main.bicep');
const app = read('infra/modules/app-service.bicep');

/** The text of the first `{ … }` after `start`, by brace matching. */
function braceBlock(text: string, start: RegExp): string {
  const m = start.exec(text);
  if (!m) throw new Error(`no ${start} in the template`);
  let i = text.indexOf('{', m.index + m[0].length);
  const from = i;
  for (let depth = 0; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) break;
  }
  return text.slice(from, i + 1);
}

/** The setting names (`NAME: value` lines) of a Bicep object literal. */
const settingNames = (block: string) => [...block.matchAll(/^\s*([A-Za-z_][A-Za-z0-9_]*):/gm)].map((m) => m[1]!);

/** The keys of the config schema (src/config/settings-schema.ts). */
function schemaKeys(): string[] {
  return [...SETTINGS];
}

const platformBlock = braceBlock(app, /var platformSettings = /);
const containerBlock = braceBlock(app, /var containerSettings = isContainer\s*\?\s*/);
const tabBlock = braceBlock(app, /var tabSettings = empty\(tabAppId\) \? \{\} : /);
const mainBlock = braceBlock(main, /\n\s+appSettings: /);

describe('infra: App Service settings', () => {
  it('sets only settings the bot reads, or App Service platform settings', () => {
    const bot = new Set([...schemaKeys(), 'APPLICATIONINSIGHTS_CONNECTION_STRING']);
    // Read by App Service itself, for custom containers (docs: "Configure a custom container").
    const platform = new Set(['WEBSITES_PORT', 'WEBSITES_ENABLE_APP_SERVICE_STORAGE']);
    const names = [mainBlock, platformBlock, containerBlock, tabBlock].flatMap(settingNames);
    expect(names.length).toBeGreaterThan(15);
    expect(names.filter((n) => !bot.has(n) && !platform.has(n))).toEqual([]);
    // src/index.ts reads the telemetry connection string before the config schema.
    expect(read('src/index.ts')).toContain('process.env.APPLICATIONINSIGHTS_CONNECTION_STRING');
  });

  it('keeps the custom-container settings off a zip deployment, whose code lives on the /home share', () => {
    // WEBSITES_ENABLE_APP_SERVICE_STORAGE=false on NODE|22-lts would unmount /home/site/wwwroot,
    // where `az webapp deploy --type zip` puts the code.
    expect(settingNames(containerBlock).sort()).toEqual(['WEBSITES_ENABLE_APP_SERVICE_STORAGE', 'WEBSITES_PORT']);
    expect(containerBlock).toMatch(/WEBSITES_ENABLE_APP_SERVICE_STORAGE:\s*'false'/);
    expect(containerBlock).toMatch(/WEBSITES_PORT:\s*'3978'/);
    expect(app).toMatch(/var containerSettings = isContainer\s*\?\s*\{[^}]*\}\s*:\s*\{\}/);
    for (const block of [platformBlock, mainBlock, tabBlock])
      expect(settingNames(block)).not.toEqual(expect.arrayContaining([expect.stringMatching(/^WEBSITES_/)]));
    expect(app).toMatch(/linuxFxVersion: isContainer \? 'DOCKER\|\$\{containerImage\}' : 'NODE\|22-lts'/);
  });

  it('refuses in extraAppSettings every name the template writes, and docs/deploy.md lists them', () => {
    // The module refuses objectKeys(appSettings) (main.bicep's block) and its own list, which
    // must hold every platform, container and tab setting: one missing could be given twice.
    const list = app.match(/var ownSettingNames = \[([^\]]*)\]/)?.[1] ?? '';
    const own = [...list.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
    // Keys at a line's start or after `{` or `,`: the tab's block is written on one line.
    const keys = (block: string) => [...block.matchAll(/(?:^|[{,])\s*([A-Za-z_][A-Za-z0-9_]*):/gm)].map((m) => m[1]!);
    expect(keys(tabBlock)).toEqual(['ACRBOT_TAB_APP_ID', 'ACRBOT_TAB_DOMAIN']);
    expect(own.sort()).toEqual([platformBlock, containerBlock, tabBlock].flatMap(keys).sort());
    expect(app).toMatch(/union\(objectKeys\(appSettings\), ownSettingNames\)/);
    // deploy.md's "App settings" names exactly the settings the template writes.
    const deploy = read('docs/deploy.md');
    const section = deploy.slice(deploy.indexOf('### App settings'), deploy.indexOf('## 3. Preview, then deploy'));
    const paragraph = section.slice(section.indexOf('The template makes these itself'));
    const listed = [...paragraph.slice(0, paragraph.indexOf('\n\n')).matchAll(/`([A-Za-z_]+)`/g)]
      .map((m) => m[1]!)
      .filter((n) => n !== 'extraAppSettings');
    expect(listed.sort()).toEqual([...settingNames(mainBlock), ...own].sort());
  });

  it("hands the tab's host to the bot in lower case, which the bot requires", () => {
    const azure = {
      ACRBOT_MODE: 'azure',
      MicrosoftAppId: '6f1c2b6e-1c1d-4b1c-9a1e-0d7f3e6a9b21',
      MicrosoftAppType: 'UserAssignedMSI',
      MicrosoftAppTenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      ACRBOT_SUBSCRIPTION_IDS: '00000000-0000-4000-8000-000000000001',
      ACRBOT_APPROVERS: '00000000-0000-4000-8000-000000000002',
      ACRBOT_STORAGE: 'memory',
      ACRBOT_ALLOW_EPHEMERAL_STORAGE: 'true',
      ACRBOT_TAB_APP_ID: '7a000000-0000-4000-8000-0000000000a7',
    };
    // Why the template lowers it: a custom domain typed with capitals stops the start.
    expect(() => loadConfig({ ...azure, ACRBOT_TAB_DOMAIN: 'Acrbot.Contoso.com' })).toThrow(
      /ACRBOT_TAB_DOMAIN must be the lowercase host/,
    );
    expect(loadConfig({ ...azure, ACRBOT_TAB_DOMAIN: 'acrbot.contoso.com' }).tabDomain).toBe('acrbot.contoso.com');
    expect(tabBlock).toMatch(/ACRBOT_TAB_DOMAIN:\s*tabHost\b/);
    expect(app).toMatch(
      /var tabHost = empty\(tabDomain\) \? site\.properties\.defaultHostName : toLower\(tabDomain\)\n/,
    );
    // The manifest's host (BOT_DOMAIN, which npm run package lowercases too) is the same one.
    expect(main).toMatch(
      /output BOT_DOMAIN string = empty\(tabDomain\) \? app\.outputs\.defaultHostName : toLower\(tabDomain\)\n/,
    );
  });
});
