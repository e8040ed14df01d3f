/**
 * Settings that were accepted and then did nothing, or something else than meant: a misspelt
 * ACRBOT_* name, a NO_PROXY entry that never matches, and the bot's own tenant left out of
 * ACRBOT_ALLOWED_TENANTS are warned about at start (config.warnings, logged by the entry point);
 * a space after `sqlite:`, a channel id with the rest of its link, and ACRBOT_AUDIT_ADOPT_UNSIGNED
 * without a key are settled or refused. Warnings name settings, never values.
 */
import { isEphemeralStorage, loadConfig } from '../../src/config/config';
import { loadPolicy } from '../../src/config/policy-file';
import { noProxyWarnings, proxies, readProxyEnvironment } from '../../src/integrations/http/outbound-proxy';
import { AZURE, G, problemsOf } from './support/config-env';

describe('ACRBOT_* variables acrbot does not read', () => {
  test('each is named once with the nearest setting, its value never', () => {
    const warnings = loadConfig({
      ...AZURE,
      ACRBOT_MAX_ACCESS_DURATON: '7d',
      ACRBOT_AUDIT_CHANEL: '19:secret-channel@thread.tacv2',
      acrbot_mode: 'azure',
    }).warnings;
    expect(warnings).toEqual([
      expect.stringMatching(/^ACRBOT_AUDIT_CHANEL is not a setting acrbot reads.*did you mean ACRBOT_AUDIT_CHANNEL\?/),
      expect.stringMatching(
        /^ACRBOT_MAX_ACCESS_DURATON is not a setting acrbot reads.*did you mean ACRBOT_MAX_ACCESS_DURATION\?/,
      ),
      expect.stringMatching(/^acrbot_mode is not a setting acrbot reads.*did you mean ACRBOT_MODE\?/),
    ]);
    expect(warnings!.join('\n')).not.toMatch(/secret-channel|7d/);
  });

  test('a far-off name gets no suggestion; the settings, the scripts’ own names and blank ones none at all', () => {
    expect(loadConfig({ ...AZURE, ACRBOT_SOMETHING_ELSE_ENTIRELY: 'x' }).warnings).toEqual([
      expect.not.stringMatching(/did you mean/),
    ]);
    expect(
      loadConfig({
        ...AZURE,
        ACRBOT_WEBSITE_URL: 'https://x.example/',
        ACRBOT_PRIVACY_URL: 'https://x.example/p',
        ACRBOT_TERMS_URL: 'https://x.example/t',
        ACRBOT_DEVELOPER_NAME: 'Contoso',
        ACRBOT_RACES: '8',
        ACRBOT_SCREENSHOTS: 'docs',
        ACRBOT_TYPO: ' ',
        ACRBOT_LEASE_TTL: '60s',
      }).warnings,
    ).toEqual([]);
  });

  test('a warning, not a problem: a variable of another release does not stop the start', () => {
    expect(loadConfig({ ...AZURE, ACRBOT_POLICY_FILE: '/etc/acrbot/policy.yaml' }).warnings).toEqual([
      expect.stringMatching(/^ACRBOT_POLICY_FILE .*did you mean ACRBOT_POLICY\?/),
    ]);
  });
});

describe('ACRBOT_STORAGE=sqlite: with a space', () => {
  test('the path is trimmed, and sqlite: :memory: is in-memory storage (refused in azure mode)', () => {
    expect(loadConfig({ ...AZURE, ACRBOT_STORAGE: 'sqlite: /var/lib/acrbot/acrbot.db' }).storage).toEqual({
      kind: 'sqlite',
      path: '/var/lib/acrbot/acrbot.db',
    });
    expect(problemsOf({ ...AZURE, ACRBOT_STORAGE: 'sqlite: :memory:' }).join('\n')).toMatch(/process memory/);
    const allowed = loadConfig({
      ...AZURE,
      ACRBOT_STORAGE: 'sqlite: :memory:',
      ACRBOT_ALLOW_EPHEMERAL_STORAGE: 'true',
    });
    expect(isEphemeralStorage(allowed.storage)).toBe(true);
    expect(problemsOf({ ...AZURE, ACRBOT_STORAGE: 'sqlite:  ' }).join('\n')).toMatch(/sqlite: needs a path/);
  });
});

describe('a channel id with the rest of its (decoded) link', () => {
  const bad = '19:abc@thread.tacv2/General?groupId=x&tenantId=y';

  test('is refused in the environment, with the hint', () => {
    for (const name of ['ACRBOT_APPROVAL_CHANNEL', 'ACRBOT_AUDIT_CHANNEL'])
      expect(problemsOf({ ...AZURE, [name]: bad })).toEqual([
        expect.stringMatching(
          new RegExp(`^${name} must be a Teams channel id .*copied from a channel link; keep only the id`),
        ),
      ]);
    for (const tail of ['/General', '#x', '?a', '&b'])
      expect(problemsOf({ ...AZURE, ACRBOT_APPROVAL_CHANNEL: `19:abc@thread.tacv2${tail}` })).toHaveLength(1);
    expect(loadConfig({ ...AZURE, ACRBOT_APPROVAL_CHANNEL: '19:abc@thread.tacv2' }).approvalChannelId).toBe(
      '19:abc@thread.tacv2',
    );
  });

  test('is refused in a policy file, with the hint', () => {
    const text = `version: 1\nrules:\n  - id: default\n    approvers:\n      users: [${G.approver}]\n    channel: "${bad}"\n`;
    expect(() => loadPolicy(text, 'p.yaml')).toThrow(
      /p\.yaml:6:\d+ rules\[0\]\.channel: must be a Teams conversation id .*copied from a channel link; keep only the id/,
    );
  });
});

describe('ACRBOT_AUDIT_ADOPT_UNSIGNED without ACRBOT_AUDIT_KEY', () => {
  test('is refused in azure mode (it would do nothing)', () => {
    expect(problemsOf({ ...AZURE, ACRBOT_AUDIT_ADOPT_UNSIGNED: '42' })).toEqual([
      expect.stringMatching(/^ACRBOT_AUDIT_ADOPT_UNSIGNED needs ACRBOT_AUDIT_KEY/),
    ]);
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(
      loadConfig({ ...AZURE, ACRBOT_AUDIT_ADOPT_UNSIGNED: '42', ACRBOT_AUDIT_KEY: key }).auditAdoptUnsignedUpTo,
    ).toBe(42);
  });

  test('is accepted in sandbox mode, which makes its own key', () => {
    expect(loadConfig({ ACRBOT_MODE: 'sandbox', ACRBOT_AUDIT_ADOPT_UNSIGNED: '42' }).auditAdoptUnsignedUpTo).toBe(42);
  });
});

describe('NO_PROXY entries that never match', () => {
  test('each form is named, with how many, never an entry; the entry still does not match', () => {
    const read = readProxyEnvironment({
      HTTPS_PROXY: 'http://proxy:3128',
      NO_PROXY: '*.azmk8s.io,10.0.0.0/8,169.254.169.254:80,[::1]:443,.good.example,10.1.2.3,[::1],::1',
    });
    expect(read.problems).toEqual([]);
    expect(proxies(read.proxy!, new URL('https://x.azmk8s.io'))).toBe(true);
    expect(read.warnings).toEqual([
      expect.stringMatching(/^NO_PROXY has an entry with a wildcard/),
      expect.stringMatching(/^NO_PROXY has an entry with an address range/),
      expect.stringMatching(/^NO_PROXY has 2 entries with a port/),
    ]);
    expect(read.warnings.join('\n')).not.toMatch(/azmk8s|10\.0\.0\.0|169\.254/);
  });

  test('understood entries, or no proxy at all, warn nothing', () => {
    expect(noProxyWarnings(['.example.com', 'localhost', '127.0.0.1', '[::1]', '::1'])).toEqual([]);
    expect(readProxyEnvironment({ NO_PROXY: '*.example.com' }).warnings).toEqual([]);
  });

  test('they reach the start warnings', () => {
    expect(loadConfig({ ...AZURE, HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '*.azmk8s.io' }).warnings).toEqual([
      expect.stringMatching(/^NO_PROXY has an entry with a wildcard/),
    ]);
  });
});

describe('ACRBOT_ALLOWED_TENANTS without the bot’s own tenant', () => {
  const other = '77777777-7777-4777-8777-777777777777';

  test('warned at start in azure mode, saying that nobody can make a request', () => {
    const warnings = loadConfig({ ...AZURE, ACRBOT_ALLOWED_TENANTS: other }).warnings ?? [];
    expect(warnings).toHaveLength(1);
    const [warning] = warnings;
    expect(warning).toMatch(/^ACRBOT_ALLOWED_TENANTS leaves out MicrosoftAppTenantId/);
    // The listed tenants' requests are refused as another tenant's (own-tenant.ts): the warning
    // says what follows rather than leaving it to the operator to mean it.
    expect(warning).toContain(
      'no request can be made from any listed tenant either, as acrbot refuses the requests of tenants other than its own',
    );
    expect(warning).not.toMatch(/unless that is meant/);
  });

  test('not when it is listed (any case), when the list is unset, or in sandbox mode', () => {
    expect(loadConfig({ ...AZURE, ACRBOT_ALLOWED_TENANTS: `${other},${G.tenant.toUpperCase()}` }).warnings).toEqual([]);
    expect(loadConfig(AZURE).warnings).toEqual([]);
    expect(
      loadConfig({ ACRBOT_MODE: 'sandbox', MicrosoftAppTenantId: G.tenant, ACRBOT_ALLOWED_TENANTS: other }).warnings,
    ).toEqual([]);
  });
});
