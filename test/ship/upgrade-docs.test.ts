/**
 * What an operator reads before an upgrade: docs/deploy.md lists what releases refuse at start
 * (a rolling upgrade with an old policy file or quoted settings takes the bot down), names the
 * check that finds it without deploying, and that check is a script of package.json. Its advice
 * on acrbot's Reader never creates a second assignment the template's deployment collides with
 * (RoleAssignmentExists) and never asks for rights at subscription scope.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const deploy = readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8');

/** The "Releases so far refuse: …" sentence, up to its full stop at a paragraph's end. */
function refusals(): string {
  const start = deploy.indexOf('Releases so far refuse:');
  expect(start).toBeGreaterThan(0);
  return deploy.slice(start, deploy.indexOf('.\n', start)).replace(/\s+/g, ' ');
}

test('deploy.md lists the start-stoppers of this release', () => {
  const list = refusals();
  for (const item of [
    'a rule after one that fits every request',
    '`[...]` class',
    '`!`',
    'regular expression',
    'login server',
    "subscription's name",
    '`HTTPS_PROXY`',
    '`HTTP_PROXY`',
    '`ALL_PROXY`',
    '`NO_PROXY`',
    'lower-case',
    'quoted `APPLICATIONINSIGHTS_CONNECTION_STRING`',
  ])
    expect(list).toContain(item);
});

test('deploy.md says how to check before upgrading, with a script package.json has', () => {
  const upgrading = deploy.slice(deploy.indexOf('## Upgrading'), deploy.indexOf('## Rights for'));
  expect(upgrading).toContain('### Upgrading to this release');
  expect(upgrading).toContain('npm run policy:check -- --env');
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  expect(scripts['policy:check']).toBe('node scripts/run-ts.js scripts/policy-check.ts');
  expect(existsSync(join(ROOT, 'scripts', 'policy-check.ts'))).toBe(true);
});

test("deploy.md's advice on acrbot's Reader: the template's name, never a plain create or the subscription", () => {
  expect(deploy).toContain('### Reader on a resource group by hand');
  expect(deploy).toContain(
    "guid(resourceGroup().id, parameters('principalId'), 'acdd72a7-3385-48ef-bd42-f606fba81ae7')",
  );
  expect(deploy).toMatch(/az role assignment create --name "\$NAME"/);
  // Every sentence giving acrbot Reader on a group points at the section that names it.
  for (const m of deploy.matchAll(/give acrbot Reader on (?:its|that|the) (?:registry's )?resource group[^|.]*/g))
    expect(m[0]).toMatch(/template's name|reader-on-a-resource-group-by-hand/);
  expect(deploy).not.toMatch(/Reader on (?:the|its|a) subscription/i);
});

test('deploy.md tells what to do with settings set by hand before this release, and the sightings index', () => {
  const release = deploy.slice(deploy.indexOf('### Upgrading to this release'), deploy.indexOf('## Rights for'));
  const text = release.replace(/\s+/g, ' ');
  // Every deployment replaced the app's settings; this release's extraAppSettings keeps them, once moved there.
  expect(text).toContain('put every one the template does not make into `extraAppSettings`');
  expect(text).toContain('az webapp config appsettings list');
  expect(text).toContain('indexed in partition `x|sighting-ends` of the `<prefix>abuse` table');
  expect(text).toContain('(partition `x|sightings`) are still forgotten a day after they were seen. Nothing to do.');
});
