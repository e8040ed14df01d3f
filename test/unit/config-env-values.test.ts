/**
 * How loadConfig reads the text of a setting: spaces and quotes around it (env-file and portal
 * mistakes), numbers spelled other than in digits, host names, GUID lists with repeats, and the
 * settings only the Azure SDK or Node read (AZURE_CLIENT_ID, NODE_ENV).
 */
import { loadConfig } from '../../src/config/config';
import { AZURE, G, problemsOf } from './support/config-env';

describe('spaces and quotes around a value', () => {
  test('spaces and line breaks around a value are not part of it (a password from Key Vault, a path)', () => {
    const config = loadConfig({
      ...AZURE,
      ACRBOT_MODE: 'azure ',
      MicrosoftAppPassword: 'not-a-real-secret\n',
      ACRBOT_STORAGE: ' sqlite:/var/lib/acrbot/acrbot.db ',
    });
    expect(config).toMatchObject({
      mode: 'azure',
      app: { password: 'not-a-real-secret' },
      storage: { kind: 'sqlite', path: '/var/lib/acrbot/acrbot.db' },
    });
  });

  test('a setting in quotes is named as such, once, and read without them', () => {
    // Read as azure mode: its settings are checked as such (all valid here), not as the sandbox.
    expect(problemsOf({ ...AZURE, ACRBOT_MODE: '"azure"' })).toEqual([
      'ACRBOT_MODE is in quotes, which would be part of its value: remove them',
    ]);
    expect(problemsOf({ ...AZURE, ACRBOT_APPROVAL_TTL: "'8h'", AZURE_SUBSCRIPTION_ID: `"${G.sub}"` })).toEqual([
      'AZURE_SUBSCRIPTION_ID is in quotes, which would be part of its value: remove them',
      'ACRBOT_APPROVAL_TTL is in quotes, which would be part of its value: remove them',
    ]);
  });

  test('a secret in quotes is named, never repeated', () => {
    const problems = problemsOf({ ...AZURE, MicrosoftAppPassword: '"s3cret-Value~1"' });
    expect(problems).toEqual(['MicrosoftAppPassword is in quotes, which would be part of its value: remove them']);
    expect(problems.join('\n')).not.toContain('s3cret');
  });

  test('the proxy variables follow the rule too: blank is unset, quotes are refused without the value', () => {
    expect(loadConfig({ ...AZURE, HTTPS_PROXY: ' ', https_proxy: '\n', NO_PROXY: ' ' }).mode).toBe('azure');
    const url = 'http://u:s3cret@proxy.example:3128';
    expect(problemsOf({ ...AZURE, HTTPS_PROXY: `"${url}"` })).toEqual([
      'HTTPS_PROXY is in quotes, which would be part of its value: remove them',
    ]);
    expect(problemsOf({ ...AZURE, HTTPS_PROXY: url, NO_PROXY: "'a.example,b.example'" })).toEqual([
      'NO_PROXY is in quotes, which would be part of its value: remove them',
    ]);
    const both = problemsOf({ ...AZURE, http_proxy: `'${url}'`, no_proxy: '"a.example"' }).join('\n');
    expect(both).toContain('http_proxy is in quotes, which would be part of its value: remove them');
    expect(both).toContain('no_proxy is in quotes, which would be part of its value: remove them');
    expect(both).not.toMatch(/s3cret|proxy\.example|a\.example/);
  });

  test('variables acrbot does not read may hold quotes', () => {
    expect(loadConfig({ PS1: '"$ "', SOME_TOOL_FLAGS: "'--x'" }).mode).toBe('sandbox');
  });
});

describe('whole numbers are written in digits', () => {
  test.each(['1e3', '0x10', '5.0', '+5', '-1', '0', '100001', '5 5'])(
    'ACRBOT_MAX_PENDING_PER_USER=%j is refused (Number() reads 1e3 as 1000, 0x10 as 16)',
    (value) => {
      expect(problemsOf({ ACRBOT_MAX_PENDING_PER_USER: value, ACRBOT_REQUESTS_PER_MINUTE: value })).toEqual([
        'ACRBOT_MAX_PENDING_PER_USER must be a whole number from 1 to 100000',
        'ACRBOT_REQUESTS_PER_MINUTE must be a whole number from 1 to 100000',
      ]);
    },
  );

  test.each(['1e3', '0x10', '2.0', '0', '-2', '99999999999999999999'])(
    'ACRBOT_AUDIT_ADOPT_UNSIGNED=%j is refused: it vouches for entries up to exactly this seq',
    (value) => {
      expect(problemsOf({ ACRBOT_AUDIT_ADOPT_UNSIGNED: value })).toEqual([
        'ACRBOT_AUDIT_ADOPT_UNSIGNED must be the seq of the newest audit entry (a whole number)',
      ]);
    },
  );

  test('digits are read', () => {
    expect(
      loadConfig({
        ACRBOT_MAX_PENDING_PER_USER: '100000',
        ACRBOT_REQUESTS_PER_MINUTE: '1',
        ACRBOT_AUDIT_ADOPT_UNSIGNED: '42',
      }),
    ).toMatchObject({ limits: { maxPendingPerUser: 100_000, requestsPerMinute: 1 }, auditAdoptUnsignedUpTo: 42 });
  });
});

describe('HOST', () => {
  test.each(['0.0.0.0', '::', '::1', '127.0.0.1', 'localhost', 'acrbot.internal'])('%s is taken', (host) => {
    expect(loadConfig({ HOST: host }).host).toBe(host);
  });

  test.each(['http://0.0.0.0', '0.0.0.0:8080', '[::1]', 'my host', 'acrbot.internal/'])(
    '%s is refused at start, not by listen()',
    (host) => {
      expect(problemsOf({ HOST: host })).toEqual([
        'HOST must be an IP address or a host name to listen on, e.g. 0.0.0.0 (no scheme, port or brackets)',
      ]);
    },
  );
});

describe('GUID lists', () => {
  test('an id listed twice, in any case, counts once (the first spelling stays)', () => {
    const upper = G.approver.toUpperCase();
    const config = loadConfig({
      ...AZURE,
      ACRBOT_APPROVERS: `${G.approver}, ${upper},,${G.approver}`,
      ACRBOT_AUDITORS: `${upper},${G.approver}`,
      ACRBOT_ALLOWED_TENANTS: `${G.tenant},${G.tenant.toUpperCase()}`,
    });
    expect(config).toMatchObject({
      approverIds: [G.approver],
      auditorIds: [upper],
      allowedTenantIds: [G.tenant],
    });
    // The rule built from them names (and its cards mention) each approver once.
    expect(config.policy.rules[0].approvers.users).toEqual([G.approver]);
  });
});

describe('settings read by the Azure SDK and by Node', () => {
  test('AZURE_CLIENT_ID must be a GUID', () => {
    expect(problemsOf({ ...AZURE, AZURE_CLIENT_ID: 'acrbot-identity' })).toEqual([
      "AZURE_CLIENT_ID must be the managed identity's client id, a GUID",
    ]);
    expect(() => loadConfig({ ...AZURE, AZURE_CLIENT_ID: G.app })).not.toThrow();
  });

  test('NODE_ENV=Production is refused rather than quietly not production (the sandbox would start)', () => {
    expect(problemsOf({ NODE_ENV: 'Production' })).toEqual([
      'NODE_ENV must be written "production" in lower case (it is compared exactly)',
    ]);
    expect(loadConfig({ NODE_ENV: 'development' }).mode).toBe('sandbox');
  });
});

describe('ACRBOT_EXPIRY_REMINDERS', () => {
  test('"none" beside durations is refused: it is one or the other', () => {
    expect(problemsOf({ ACRBOT_EXPIRY_REMINDERS: 'none,7d' })).toEqual([
      'ACRBOT_EXPIRY_REMINDERS: "none" means no reminders and cannot be combined with durations',
    ]);
    expect(loadConfig({ ACRBOT_EXPIRY_REMINDERS: 'none' }).access.remindersMs).toEqual([]);
  });
});
