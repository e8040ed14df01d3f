import {
  applySandboxDefaults,
  ConfigError,
  loadConfig,
  parseAnchorTarget,
  type AppConfig,
} from '../../src/config/config';
import { SANDBOX_DEFAULTS } from '../../src/sandbox/defaults';
import { AZURE, G, problemsOf } from './support/config-env';

/** The config sandbox mode runs with: what the composition root's sandbox step makes of `env`. */
const sandboxConfig = (env: Record<string, string | undefined>) =>
  applySandboxDefaults(loadConfig(env), SANDBOX_DEFAULTS);

const without = (key: string) => Object.fromEntries(Object.entries(AZURE).filter(([k]) => k !== key));

describe('sandbox mode', () => {
  test('an empty environment gives the sandbox defaults', () => {
    const config = sandboxConfig({});
    expect(config).toEqual<AppConfig>({
      policy: {
        version: 1,
        source: 'environment',
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        rules: [
          {
            id: 'default',
            match: {},
            approvers: { users: ['0a000000-0000-4000-8000-00000000bbb2'], groups: [], name: 'the approvers' },
            approvalsRequired: 1,
            channel: '19:sandbox-approvals@thread.tacv2',
            approverJustification: 'optional',
          },
        ],
      },
      policyFile: undefined,
      warnings: [],
      mode: 'sandbox',
      port: 3978,
      host: undefined,
      app: { id: undefined, password: undefined, type: 'MultiTenant', tenantId: undefined },
      subscriptionIds: ['1f0c0000-0000-4000-8000-000000000001', '2f0c0000-0000-4000-8000-000000000002'],
      armEndpoint: undefined,
      graphEndpoint: undefined,
      approverIds: ['0a000000-0000-4000-8000-00000000bbb2'],
      approverGroupId: undefined,
      auditorIds: [],
      approvalChannelId: '19:sandbox-approvals@thread.tacv2',
      auditChannelId: undefined,
      allowedTenantIds: ['5b1e2c3d-0000-4000-8000-00000000a0a0'],
      approvalTtlMs: 24 * 3_600_000,
      approverJustificationRequired: false,
      secretMaxExpiryMs: 365 * 86_400_000,
      sweepIntervalMs: 30_000,
      leaseTtlMs: 60_000,
      driftIntervalMs: 900_000,
      tabInventoryTtlMs: 60_000,
      access: {
        defaultMs: 30 * 86_400_000,
        maxMs: 90 * 86_400_000,
        minMs: 3_600_000,
        allowPermanent: false,
        remindersMs: [7 * 86_400_000, 86_400_000],
      },
      storage: { kind: 'sqlite', path: './data/acrbot.db' },
      channelAuth: { openIdMetadataUrl: undefined, tokenIssuer: undefined },
      logLevel: 'info',
      limits: { maxPendingPerUser: 5, requestsPerMinute: 10, readsPer10Minutes: 30 },
      dialogTtlMs: 30 * 60_000,
      allowLocalAccountClusters: true,
    });
  });

  test('empty and blank strings count as unset', () => {
    expect(loadConfig({ ACRBOT_MODE: '', MicrosoftAppId: '', PORT: '' })).toMatchObject({
      mode: 'sandbox',
      port: 3978,
      app: { id: undefined },
    });
    // A blank PORT is the default, not Number(' '), which is 0 (a random port).
    expect(loadConfig({ ACRBOT_MODE: ' ', MicrosoftAppId: '\t', PORT: ' ' })).toMatchObject({
      mode: 'sandbox',
      port: 3978,
      app: { id: undefined },
    });
  });

  test('an approver group replaces the default approver', () => {
    expect(sandboxConfig({ ACRBOT_APPROVER_GROUP: G.group })).toMatchObject({
      approverIds: [],
      approverGroupId: G.group,
    });
  });

  test('explicit settings win over sandbox defaults', () => {
    expect(
      sandboxConfig({
        ACRBOT_SUBSCRIPTION_IDS: G.sub,
        ACRBOT_APPROVERS: G.approver,
        ACRBOT_ALLOWED_TENANTS: G.tenant,
        ACRBOT_APPROVAL_CHANNEL: '19:x',
      }),
    ).toMatchObject({
      subscriptionIds: [G.sub],
      approverIds: [G.approver],
      allowedTenantIds: [G.tenant],
      approvalChannelId: '19:x',
    });
  });
});

// GUARANTEES.md G1: "loadConfig({NODE_ENV:'production'}) without MicrosoftAppId or
// MicrosoftAppTenantId throws". Without ACRBOT_MODE, NODE_ENV=production means azure mode, and
// azure mode names exactly what is missing: the test fails if production falls back to the
// sandbox or if either check goes.
describe('NODE_ENV=production (G1)', () => {
  const PRODUCTION = { ...without('ACRBOT_MODE'), ACRBOT_ALLOWED_TENANTS: G.tenant, NODE_ENV: 'production' };

  test('is azure mode when ACRBOT_MODE is not set', () => {
    expect(loadConfig(PRODUCTION).mode).toBe('azure');
  });

  test.each([
    ['MicrosoftAppId', 'MicrosoftAppId is required in azure mode (no anonymous access outside the sandbox)'],
    ['MicrosoftAppTenantId', 'MicrosoftAppTenantId is required when MicrosoftAppType is SingleTenant'],
  ])('without %s refuses to start and says so', (key, problem) => {
    const env = Object.fromEntries(Object.entries(PRODUCTION).filter(([k]) => k !== key));
    // …and that NODE_ENV chose azure mode, for whoever set only that.
    expect(problemsOf(env)).toEqual([
      problem,
      'ACRBOT_MODE is not set, so NODE_ENV=production made this azure mode (for the sandbox, start without NODE_ENV=production)',
    ]);
    expect(problemsOf({ ...env, ACRBOT_MODE: 'azure' })).toEqual([problem]);
  });
});

describe('azure mode', () => {
  test('a complete environment loads', () => {
    expect(loadConfig(AZURE)).toMatchObject({
      mode: 'azure',
      app: { id: G.app, password: 'not-a-real-secret', type: 'SingleTenant', tenantId: G.tenant },
      subscriptionIds: [G.sub],
      approverIds: [G.approver],
      allowedTenantIds: [G.tenant], // defaults to the app's tenant
      approvalChannelId: undefined,
    });
  });

  test('storage in process memory is refused unless a test says so (every restart would lose the audit trail and the ends of access)', () => {
    for (const storage of ['memory', 'sqlite::memory:']) {
      expect(problemsOf({ ...AZURE, ACRBOT_STORAGE: storage })).toEqual([
        expect.stringContaining('ACRBOT_STORAGE keeps everything in process memory'),
      ]);
      expect(loadConfig({ ...AZURE, ACRBOT_STORAGE: storage, ACRBOT_ALLOW_EPHEMERAL_STORAGE: 'true' }).mode).toBe(
        'azure',
      );
    }
    expect(loadConfig({ ...AZURE, ACRBOT_STORAGE: 'sqlite:/var/lib/acrbot/acrbot.db' }).storage).toEqual({
      kind: 'sqlite',
      path: '/var/lib/acrbot/acrbot.db',
    });
    // The sandbox keeps working on memory without it.
    expect(loadConfig({ ACRBOT_STORAGE: 'memory' }).mode).toBe('sandbox');
  });

  test('with nothing else set, ALL problems are listed at once', () => {
    const problems = problemsOf({ ACRBOT_MODE: 'azure' });
    expect(problems).toEqual([
      'MicrosoftAppId is required in azure mode (no anonymous access outside the sandbox)',
      'MicrosoftAppType is required in azure mode: SingleTenant or UserAssignedMSI',
      'AZURE_SUBSCRIPTION_ID or ACRBOT_SUBSCRIPTION_IDS is required in azure mode',
      'ACRBOT_APPROVERS or ACRBOT_APPROVER_GROUP is required in azure mode: someone must be able to approve',
      'ACRBOT_ALLOWED_TENANTS is required in azure mode',
      expect.stringMatching(/^ACRBOT_STORAGE is required in azure mode: /),
    ]);
  });

  test('ACRBOT_STORAGE must be named: unset, the store would be a SQLite file inside the container, lost with it', () => {
    const { ACRBOT_STORAGE: _named, ...unset } = AZURE;
    expect(problemsOf(unset)).toEqual([
      'ACRBOT_STORAGE is required in azure mode: tables:https://<account>.table.core.windows.net (Azure Tables with the managed identity, as infra/main.bicep sets it), or sqlite:<path> on a persistent volume for a single instance. Unset, acrbot would keep the audit trail, pending requests and the scheduled ends of access in ./data/acrbot.db inside the container, lost when it is replaced',
    ]);
    // Blank is unset; a table prefix beside it is not blamed on the default it would have had.
    expect(problemsOf({ ...unset, ACRBOT_STORAGE: '  ' })).toHaveLength(1);
    expect(problemsOf({ ...unset, ACRBOT_TABLE_PREFIX: 'acrbotprod' })).toEqual([
      expect.stringMatching(/^ACRBOT_STORAGE is required in azure mode: /),
    ]);
    expect(loadConfig({ ...unset, ACRBOT_STORAGE: 'tables:https://acct.table.core.windows.net' }).storage).toEqual({
      kind: 'tables',
      connection: { kind: 'identity', endpoint: 'https://acct.table.core.windows.net' },
    });
    // The sandbox keeps its default file.
    expect(loadConfig({}).storage).toEqual({ kind: 'sqlite', path: './data/acrbot.db' });
  });

  test('the ConfigError message lists each problem on its own line', () => {
    expect(() => loadConfig({ ACRBOT_MODE: 'azure' })).toThrow(
      /^acrbot cannot start; fix these settings:\n {2}- MicrosoftAppId is required/,
    );
  });

  test.each<[string, Record<string, string | undefined>, string]>([
    [
      'no MicrosoftAppId',
      without('MicrosoftAppId'),
      'MicrosoftAppId is required in azure mode (no anonymous access outside the sandbox)',
    ],
    [
      'no MicrosoftAppType',
      without('MicrosoftAppType'),
      'MicrosoftAppType is required in azure mode: SingleTenant or UserAssignedMSI',
    ],
    [
      'SingleTenant without tenant',
      without('MicrosoftAppTenantId'),
      'MicrosoftAppTenantId is required when MicrosoftAppType is SingleTenant',
    ],
    [
      'UserAssignedMSI without tenant',
      { ...without('MicrosoftAppTenantId'), MicrosoftAppType: 'UserAssignedMSI' },
      'MicrosoftAppTenantId is required when MicrosoftAppType is UserAssignedMSI',
    ],
    [
      'SingleTenant without password',
      without('MicrosoftAppPassword'),
      'MicrosoftAppPassword is required when MicrosoftAppType is SingleTenant (or use UserAssignedMSI, which needs none)',
    ],
    [
      'no subscription',
      without('AZURE_SUBSCRIPTION_ID'),
      'AZURE_SUBSCRIPTION_ID or ACRBOT_SUBSCRIPTION_IDS is required in azure mode',
    ],
    [
      'no approvers',
      without('ACRBOT_APPROVERS'),
      'ACRBOT_APPROVERS or ACRBOT_APPROVER_GROUP is required in azure mode: someone must be able to approve',
    ],
  ])('%s', (_name, env, problem) => {
    expect(problemsOf(env)).toContain(problem);
  });

  test('UserAssignedMSI needs no password', () => {
    expect(loadConfig({ ...without('MicrosoftAppPassword'), MicrosoftAppType: 'UserAssignedMSI' }).app.type).toBe(
      'UserAssignedMSI',
    );
  });

  test('an approver group is enough', () => {
    expect(loadConfig({ ...without('ACRBOT_APPROVERS'), ACRBOT_APPROVER_GROUP: G.group }).approverGroupId).toBe(
      G.group,
    );
  });

  test('subscriptions are merged and de-duplicated', () => {
    expect(loadConfig({ ...AZURE, ACRBOT_SUBSCRIPTION_IDS: ` ${G.sub}, ${G.sub2} ,` }).subscriptionIds).toEqual([
      G.sub,
      G.sub2,
    ]);
  });

  test('subscription ids differing only in case are one subscription (the first spelling stays)', () => {
    // Kept twice, every registry found in it would be ambiguous.
    const sub = 'abcdef00-0000-4000-8000-00000000cafe';
    expect(
      loadConfig({
        ...AZURE,
        AZURE_SUBSCRIPTION_ID: sub,
        ACRBOT_SUBSCRIPTION_IDS: `${sub.toUpperCase()},${G.sub2},${sub}`,
      }).subscriptionIds,
    ).toEqual([sub, G.sub2]);
  });

  test('config itself fills in nothing: the defaults come from the sandbox step', () => {
    expect(loadConfig({})).toMatchObject({ subscriptionIds: [], approverIds: [], allowedTenantIds: [] });
    expect(loadConfig({}).approvalChannelId).toBeUndefined();
  });

  test('sandbox defaults never leak into azure mode', () => {
    // The azure environment sets subscriptions and approvers itself, so those alone could not
    // show a default leaking: the config must come back as it went in (the channel included).
    const azure = loadConfig(AZURE);
    const config = applySandboxDefaults(azure, SANDBOX_DEFAULTS);
    expect(config).toBe(azure);
    expect(config.subscriptionIds).not.toContain('1f0c0000-0000-4000-8000-000000000001');
    expect(config.approverIds).not.toContain('0a000000-0000-4000-8000-00000000bbb2');
  });

  // The message says "SingleTenant or UserAssignedMSI", yet MultiTenant with no password loads;
  // a MultiTenant bot cannot authenticate without its password.
  test('MultiTenant without MicrosoftAppPassword is refused in azure mode', () => {
    expect(() => loadConfig({ ...without('MicrosoftAppPassword'), MicrosoftAppType: 'MultiTenant' })).toThrow(
      ConfigError,
    );
  });

  test('MultiTenant is refused in azure mode, password or not (Azure Bot Service no longer creates such bots); the sandbox keeps it', () => {
    expect(problemsOf({ ...AZURE, MicrosoftAppType: 'MultiTenant' })).toEqual([
      'MicrosoftAppType=MultiTenant is not offered in azure mode: Azure Bot Service no longer creates multi-tenant bots. Use SingleTenant (with MicrosoftAppPassword) or UserAssignedMSI',
    ]);
    expect(loadConfig({ MicrosoftAppType: 'MultiTenant' }).app.type).toBe('MultiTenant');
  });
});

describe('malformed values', () => {
  test.each<[string, Record<string, string>, string]>([
    [
      'MicrosoftAppId not a GUID',
      { MicrosoftAppId: 'my-bot' },
      "MicrosoftAppId must be the bot's app (client) id, a GUID",
    ],
    ['tenant not a GUID', { MicrosoftAppTenantId: 'contoso.onmicrosoft.com' }, 'MicrosoftAppTenantId must be a GUID'],
    ['subscription not a GUID', { AZURE_SUBSCRIPTION_ID: 'prod' }, 'AZURE_SUBSCRIPTION_ID must be a GUID'],
    [
      'approver list item not a GUID',
      { ACRBOT_APPROVERS: `${G.approver},alice@contoso.com` },
      'ACRBOT_APPROVERS: "alice@contoso.com" is not a GUID (Entra object ids, tenant ids and subscription ids are GUIDs)',
    ],
    [
      'allowed tenant not a GUID',
      { ACRBOT_ALLOWED_TENANTS: 'evil' },
      'ACRBOT_ALLOWED_TENANTS: "evil" is not a GUID (Entra object ids, tenant ids and subscription ids are GUIDs)',
    ],
    [
      'approver group not a GUID',
      { ACRBOT_APPROVER_GROUP: 'platform-team' },
      "ACRBOT_APPROVER_GROUP must be the group's object id (a GUID)",
    ],
    ['mode', { ACRBOT_MODE: 'production' }, 'ACRBOT_MODE must be "sandbox" or "azure"'],
    [
      'app type',
      { MicrosoftAppType: 'Anonymous' },
      'MicrosoftAppType must be SingleTenant or UserAssignedMSI (MultiTenant only in sandbox mode)',
    ],
    [
      'justification policy',
      { ACRBOT_APPROVER_JUSTIFICATION: 'sometimes' },
      'ACRBOT_APPROVER_JUSTIFICATION must be "required" or "optional"',
    ],
    [
      'http ARM endpoint',
      { ACRBOT_ARM_ENDPOINT: 'http://localhost:1', ACRBOT_GRAPH_ENDPOINT: 'https://localhost:2' },
      'ACRBOT_ARM_ENDPOINT must be an https:// URL with a host, e.g. https://management.usgovcloudapi.net',
    ],
    [
      'proxy not a URL (refused at start, its value not repeated)',
      { HTTPS_PROXY: 'proxy.contoso.com:3128' },
      'HTTPS_PROXY must be an http:// or https:// URL (expected http://host:port, credentials optional)',
    ],
    [
      'proxy of another scheme',
      { https_proxy: 'socks5://u:s3cret@proxy:1080' },
      'HTTPS_PROXY must be an http:// or https:// URL (expected http://host:port, credentials optional)',
    ],
    [
      'storage',
      { ACRBOT_STORAGE: 'postgres://db' },
      'ACRBOT_STORAGE: must be "memory", "sqlite:<path>", "tables:<connection string>" or "tables:https://<account>.table.core.windows.net"',
    ],
    ['storage sqlite: without path', { ACRBOT_STORAGE: 'sqlite:' }, 'ACRBOT_STORAGE: sqlite: needs a path'],
    [
      'tables: account URL with a SAS',
      { ACRBOT_STORAGE: 'tables:https://acct.table.core.windows.net/?sv=2024&sig=SECRETSIG' },
      'ACRBOT_STORAGE: tables:https://<account>.table.core.windows.net takes the account URL only (no key, SAS or path; the bot signs in with its managed identity)',
    ],
    [
      'tables: plain http account URL',
      { ACRBOT_STORAGE: 'tables:http://acct.table.core.windows.net' },
      'ACRBOT_STORAGE: tables: needs an https:// account URL (or a connection string for the local emulator)',
    ],
    [
      'tables: connection string without a key',
      { ACRBOT_STORAGE: 'tables:AccountName=acct;TableEndpoint=https://acct.table.core.windows.net' },
      'ACRBOT_STORAGE: tables: the connection string has no AccountKey or SharedAccessSignature (without a key, use tables:https://<account>.table.core.windows.net and a managed identity)',
    ],
    [
      'tables: remote plain http endpoint',
      { ACRBOT_STORAGE: 'tables:AccountName=a;AccountKey=SECRETKEY;TableEndpoint=http://10.0.0.5:10002/a' },
      'ACRBOT_STORAGE: tables: TableEndpoint must be https:// (plain http only for a local emulator on 127.0.0.1)',
    ],
    [
      'tables: plain http endpoints built from DefaultEndpointsProtocol',
      {
        ACRBOT_STORAGE:
          'tables:DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=SECRETKEY;EndpointSuffix=core.windows.net',
      },
      'ACRBOT_STORAGE: tables: DefaultEndpointsProtocol must be https (plain http only for a local emulator, with TableEndpoint=http://127.0.0.1:…)',
    ],
    [
      'tables: garbage',
      { ACRBOT_STORAGE: 'tables:SECRETKEY' },
      expect.stringMatching(/^ACRBOT_STORAGE: tables: expects a connection string/),
    ],
  ])('%s', (_name, env, problem) => {
    expect(problemsOf(env)).toEqual([problem]);
  });

  test('several malformed values are all listed', () => {
    expect(problemsOf({ MicrosoftAppId: 'x', ACRBOT_MODE: 'prod', ACRBOT_APPROVAL_TTL: 'soon' })).toHaveLength(3);
  });

  test('a value that failed to parse is not judged again through its default in checks across settings', () => {
    // ACRBOT_MODE=Azure is not sandbox mode, so not "sandbox with NODE_ENV=production".
    const mistyped = problemsOf({ ACRBOT_MODE: 'Azure', NODE_ENV: 'production' });
    expect(mistyped[0]).toBe('ACRBOT_MODE must be "sandbox" or "azure"');
    expect(mistyped.join('\n')).not.toMatch(/ACRBOT_MODE=sandbox with NODE_ENV=production/);
    // An unparsed minimum is not "longer than" the maximum (its 1h default would be).
    expect(
      problemsOf({
        ACRBOT_MIN_ACCESS_DURATION: '1hour',
        ACRBOT_MAX_ACCESS_DURATION: '30m',
        ACRBOT_DEFAULT_ACCESS_DURATION: '10m',
      }),
    ).toEqual(['ACRBOT_MIN_ACCESS_DURATION: "1hour" is not a duration; use e.g. 24h, 90m or 7d']);
    // A default outside a valid maximum is still said, whatever the minimum.
    expect(problemsOf({ ACRBOT_MIN_ACCESS_DURATION: '1hour', ACRBOT_MAX_ACCESS_DURATION: '30m' })).toContain(
      'ACRBOT_DEFAULT_ACCESS_DURATION must lie between ACRBOT_MIN_ACCESS_DURATION and ACRBOT_MAX_ACCESS_DURATION',
    );
    // A malformed setting that is set is not also "required".
    expect(
      problemsOf({ ...AZURE, MicrosoftAppType: 'Multi', MicrosoftAppTenantId: 'contoso', ACRBOT_APPROVERS: 'alice' }),
    ).toEqual([
      'MicrosoftAppType must be SingleTenant or UserAssignedMSI (MultiTenant only in sandbox mode)',
      'MicrosoftAppTenantId must be a GUID',
      'ACRBOT_APPROVERS: "alice" is not a GUID (Entra object ids, tenant ids and subscription ids are GUIDs)',
    ]);
  });

  test('a malformed value does not hide the azure-mode problems (every problem is listed)', () => {
    const problems = problemsOf({ ACRBOT_MODE: 'azure', ACRBOT_APPROVERS: 'nope' });
    expect(problems).toContain('MicrosoftAppId is required in azure mode (no anonymous access outside the sandbox)');
  });

  test('a mistyped mode that reads as azure, or any mode under NODE_ENV=production, is checked as azure mode: its problems are listed now', () => {
    const required = 'MicrosoftAppId is required in azure mode (no anonymous access outside the sandbox)';
    expect(problemsOf({ ACRBOT_MODE: 'Azure' })).toContain(required);
    expect(problemsOf({ ACRBOT_MODE: 'prod', NODE_ENV: 'production' })).toContain(required);
    // A mistyped sandbox outside production stays a sandbox: no flood of azure problems.
    expect(problemsOf({ ACRBOT_MODE: 'sandbx' })).toEqual(['ACRBOT_MODE must be "sandbox" or "azure"']);
  });

  test('a Key Vault reference App Service could not resolve is named once, not also "required"', () => {
    const problems = problemsOf({
      ...AZURE,
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppPassword: '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/bot)',
    });
    expect(problems.filter((p) => p.includes('MicrosoftAppPassword'))).toEqual([
      expect.stringMatching(/^MicrosoftAppPassword is a Key Vault reference/),
    ]);
  });

  test.each(['0x50', '80.5', '-1', '1e3', 'http', '80 80'])(
    'PORT=%j is refused (Number() would read a port out of it)',
    (port) => {
      expect(problemsOf({ PORT: port })).toEqual(['PORT must be a whole number from 0 to 65535']);
    },
  );
});

const TTL_TOO_SHORT =
  'ACRBOT_APPROVAL_TTL can be no less than 5m (requests would expire before an approver could see them; a bare number is seconds)';

describe('ACRBOT_APPROVAL_TTL', () => {
  test.each([
    ['24h', 24 * 3_600_000],
    ['90m', 90 * 60_000],
    ['1d', 86_400_000],
    ['3600', 3_600_000],
    ['5m', 5 * 60_000],
    ['300', 5 * 60_000],
  ])('%s -> %i ms', (ttl, ms) => {
    expect(loadConfig({ ACRBOT_APPROVAL_TTL: ttl }).approvalTtlMs).toBe(ms);
  });

  test.each([
    ['25h', 'ACRBOT_APPROVAL_TTL can be at most 24h (requests must not wait longer for a decision)'],
    ['2d', 'ACRBOT_APPROVAL_TTL can be at most 24h (requests must not wait longer for a decision)'],
    ['86401', 'ACRBOT_APPROVAL_TTL can be at most 24h (requests must not wait longer for a decision)'],
    // A unit slipped: every request would expire before anyone saw it.
    ['299', TTL_TOO_SHORT],
    ['4m', TTL_TOO_SHORT],
    ['24s', TTL_TOO_SHORT],
    ['24', TTL_TOO_SHORT],
    ['0h', 'ACRBOT_APPROVAL_TTL: "0h" is not a duration; use e.g. 24h, 90m or 7d'],
    ['-1h', 'ACRBOT_APPROVAL_TTL: "-1h" is not a duration; use e.g. 24h, 90m or 7d'],
    ['1.5h', 'ACRBOT_APPROVAL_TTL: "1.5h" is not a duration; use e.g. 24h, 90m or 7d'],
    ['soon', 'ACRBOT_APPROVAL_TTL: "soon" is not a duration; use e.g. 24h, 90m or 7d'],
  ])('%s is refused', (ttl, problem) => {
    expect(problemsOf({ ACRBOT_APPROVAL_TTL: ttl })).toEqual([problem]);
  });

  test('a capital M (a month to most, a minute read case-blind) is refused saying why, as chat and the policy file say it', () => {
    expect(problemsOf({ ACRBOT_MAX_ACCESS_DURATION: '3M' })).toEqual([
      'ACRBOT_MAX_ACCESS_DURATION: `3M`: M is read as minutes here — write 90d for about 3 months, or 3m for 3 minutes',
    ]);
    expect(problemsOf({ ACRBOT_APPROVAL_TTL: '1M' })).toEqual([
      'ACRBOT_APPROVAL_TTL: `1M`: M is read as minutes here — write 30d for about a month, or 1m for a minute',
    ]);
  });

  test('ACRBOT_SWEEP_INTERVAL: 1s (the shortest duration there is; tests sweep that often) to 1h', () => {
    expect(loadConfig({}).sweepIntervalMs).toBe(30_000);
    expect(loadConfig({ ACRBOT_SWEEP_INTERVAL: '1s' }).sweepIntervalMs).toBe(1_000);
    expect(loadConfig({ ACRBOT_SWEEP_INTERVAL: '1h' }).sweepIntervalMs).toBe(3_600_000);
    expect(problemsOf({ ACRBOT_SWEEP_INTERVAL: '0s' })).toEqual([
      'ACRBOT_SWEEP_INTERVAL: "0s" is not a duration; use e.g. 24h, 90m or 7d',
    ]);
    expect(problemsOf({ ACRBOT_SWEEP_INTERVAL: '3601' })).toEqual([
      'ACRBOT_SWEEP_INTERVAL can be at most 1h (expiries and reminders would run late)',
    ]);
  });

  test.each(['366d', '59m', '1s'])(
    'ACRBOT_SECRET_MAX_EXPIRY %s is refused: credentials capped below 1h would be dead when created',
    (value) => {
      expect(problemsOf({ ACRBOT_SECRET_MAX_EXPIRY: value })).toEqual([
        'ACRBOT_SECRET_MAX_EXPIRY must lie between 1h and 365d (the longest lifetime of a credential in the secret flow; the shortest --expires is 1h)',
      ]);
    },
  );

  test('ACRBOT_SECRET_MAX_EXPIRY: 365d by default, 1h and 365d themselves are taken', () => {
    expect(loadConfig({}).secretMaxExpiryMs).toBe(365 * 86_400_000);
    expect(loadConfig({ ACRBOT_SECRET_MAX_EXPIRY: '1h' }).secretMaxExpiryMs).toBe(3_600_000);
    expect(loadConfig({ ACRBOT_SECRET_MAX_EXPIRY: '90d' }).secretMaxExpiryMs).toBe(90 * 86_400_000);
    expect(loadConfig({ ACRBOT_SECRET_MAX_EXPIRY: '365d' }).secretMaxExpiryMs).toBe(365 * 86_400_000);
  });

  test('a malformed ACRBOT_SECRET_MAX_EXPIRY is named once, as not a duration', () => {
    expect(problemsOf({ ACRBOT_SECRET_MAX_EXPIRY: 'soon' })).toEqual([
      'ACRBOT_SECRET_MAX_EXPIRY: "soon" is not a duration; use e.g. 24h, 90m or 7d',
    ]);
  });
});

describe('ACRBOT_TAB_APP_ID', () => {
  const azure = {
    ACRBOT_MODE: 'azure',
    MicrosoftAppId: '11111111-1111-4111-8111-111111111111',
    MicrosoftAppTenantId: '22222222-2222-4222-8222-222222222222',
    ACRBOT_SUBSCRIPTION_IDS: '33333333-3333-4333-8333-333333333333',
    ACRBOT_APPROVERS: '44444444-4444-4444-8444-444444444444',
    ACRBOT_STORAGE: 'sqlite:/var/lib/acrbot/acrbot.db',
    ACRBOT_TAB_DOMAIN: 'acrbot.example.com',
  };
  const tabApp = '55555555-5555-4555-8555-555555555555';
  test('a managed-identity bot needs an app registration of its own for the tab', () => {
    const msi = { ...azure, MicrosoftAppType: 'UserAssignedMSI' };
    expect(problemsOf(msi)).toEqual([
      expect.stringMatching(/^ACRBOT_TAB_DOMAIN needs ACRBOT_TAB_APP_ID when MicrosoftAppType is UserAssignedMSI/),
    ]);
    expect(loadConfig({ ...msi, ACRBOT_TAB_APP_ID: tabApp }).tabAppId).toBe(tabApp);
    expect(problemsOf({ ...msi, ACRBOT_TAB_APP_ID: 'tab-app' })).toContain(
      "ACRBOT_TAB_APP_ID must be the (client) id of the tab's Entra app registration, a GUID",
    );
  });
  test('a bot with its own app registration names it, like the package (no silent default)', () => {
    const single = { ...azure, MicrosoftAppType: 'SingleTenant', MicrosoftAppPassword: 'not-a-real-secret' };
    expect(problemsOf(single)).toEqual([expect.stringMatching(/^ACRBOT_TAB_DOMAIN needs ACRBOT_TAB_APP_ID: /)]);
    expect(loadConfig({ ...single, ACRBOT_TAB_APP_ID: azure.MicrosoftAppId }).tabAppId).toBe(azure.MicrosoftAppId);
    expect(loadConfig({ ...single, ACRBOT_TAB_DOMAIN: undefined }).tabAppId).toBeUndefined();
  });
  test('without ACRBOT_TAB_DOMAIN it stops the start, as the reverse does, naming the missing setting', () => {
    const msi = { ...azure, MicrosoftAppType: 'UserAssignedMSI', ACRBOT_TAB_DOMAIN: undefined };
    expect(problemsOf({ ...msi, ACRBOT_TAB_APP_ID: tabApp })).toEqual([
      expect.stringMatching(/^ACRBOT_TAB_APP_ID needs ACRBOT_TAB_DOMAIN: the lowercase host the tab is served from/),
    ]);
    // A malformed domain is named for itself, not as missing; neither setting is no tab, and no problem.
    expect(problemsOf({ ...msi, ACRBOT_TAB_APP_ID: tabApp, ACRBOT_TAB_DOMAIN: 'https://x' })).toEqual([
      expect.stringMatching(/^ACRBOT_TAB_DOMAIN must be the lowercase host/),
    ]);
    expect(loadConfig(msi).tabAppId).toBeUndefined();
    // The sandbox serves the tab on localhost with its own registration: its app id alone is fine.
    expect(loadConfig({ ACRBOT_TAB_APP_ID: tabApp }).tabAppId).toBe(tabApp);
  });
});

describe('ACRBOT_APPROVAL_CHANNEL and ACRBOT_AUDIT_CHANNEL', () => {
  test('a Teams channel id is taken', () => {
    const config = loadConfig({
      ACRBOT_APPROVAL_CHANNEL: '19:abc123@thread.tacv2',
      ACRBOT_AUDIT_CHANNEL: '19:def456@thread.skype',
    });
    expect([config.approvalChannelId, config.auditChannelId]).toEqual([
      '19:abc123@thread.tacv2',
      '19:def456@thread.skype',
    ]);
  });

  test.each(['ACRBOT_APPROVAL_CHANNEL', 'ACRBOT_AUDIT_CHANNEL'])(
    '%s: a value copied from a channel link is named as such',
    (name) => {
      expect(problemsOf({ [name]: '19%3aabc123%40thread.tacv2' })).toEqual([
        `${name} must be a Teams channel id (19:…@thread.tacv2): this looks copied from a channel link; decode it (%3a is ":", %40 is "@")`,
      ]);
      expect(problemsOf({ [name]: 'platform-approvals' })).toEqual([
        `${name} must be a Teams channel id (19:…@thread.tacv2)`,
      ]);
    },
  );
});

describe('ACRBOT_AUDIT_ANCHOR', () => {
  const KEY = 'AccountName=devstoreaccount1;AccountKey=a2V5;';

  test('a local emulator connection string with BlobEndpoint on 127.0.0.1 and Container=<name> is taken', () => {
    expect(
      parseAnchorTarget(
        `DefaultEndpointsProtocol=http;${KEY}BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;Container=anchors`,
      ),
    ).toEqual({
      kind: 'connectionString',
      value: `DefaultEndpointsProtocol=http;${KEY}BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;`,
      container: 'anchors',
    });
  });

  test.each([
    [
      'plain http to a real account (a SAS would travel in clear)',
      `${KEY}BlobEndpoint=http://prod.blob.core.windows.net;Container=anchors`,
    ],
    ['no BlobEndpoint (the client cannot be built from it)', `${KEY}Container=anchors`],
  ])('refused: %s, without repeating the value', (_, value) => {
    const problem = parseAnchorTarget(value);
    expect(typeof problem).toBe('string');
    expect(problem).not.toContain('a2V5');
    expect(problemsOf({ ACRBOT_AUDIT_ANCHOR: value }).join('\n')).toMatch(/^ACRBOT_AUDIT_ANCHOR: /);
  });

  test('in the sandbox with memory storage (no generated key) it needs ACRBOT_AUDIT_KEY instead of being ignored', () => {
    const anchor = `DefaultEndpointsProtocol=http;${KEY}BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;Container=anchors`;
    expect(problemsOf({ ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'memory', ACRBOT_AUDIT_ANCHOR: anchor })).toEqual([
      'ACRBOT_AUDIT_ANCHOR needs ACRBOT_AUDIT_KEY with ACRBOT_STORAGE=memory (anchors are signed with it; the sandbox generates one only for sqlite:<file> or tables:…)',
    ]);
    // With a key, or a persistent store (the sandbox generates .data/audit.key), anchors are published.
    const key = Buffer.alloc(32, 7).toString('base64');
    for (const env of [
      { ACRBOT_STORAGE: 'memory', ACRBOT_AUDIT_KEY: key },
      { ACRBOT_STORAGE: 'sqlite:./data/acrbot.db' },
    ])
      expect(loadConfig({ ACRBOT_MODE: 'sandbox', ACRBOT_AUDIT_ANCHOR: anchor, ...env }).auditAnchor).toMatchObject({
        target: { kind: 'connectionString', container: 'anchors' },
      });
  });
});

describe('ACRBOT_AUDIT_KEY', () => {
  test('an unresolved Key Vault reference says what to do, not that the key is badly encoded', () => {
    const reference = '@Microsoft.KeyVault(VaultName=kv-acrbot;SecretName=acrbot-audit-key)';
    const [problem] = problemsOf({ ACRBOT_AUDIT_KEY: reference });
    expect(problem).toMatch(
      /^ACRBOT_AUDIT_KEY is a Key Vault reference that App Service could not resolve: create the secret acrbot-audit-key/,
    );
    expect(problem).toContain('Key Vault Secrets User');
    expect(problemsOf({ ACRBOT_AUDIT_KEY: 'c2hvcnQ=' })).toEqual([
      'ACRBOT_AUDIT_KEY must be at least 32 random bytes, base64-encoded (e.g. openssl rand -base64 32)',
    ]);
  });
});

describe('MicrosoftAppPassword', () => {
  test('an unresolved Key Vault reference is refused at start, without repeating it', () => {
    const reference = '@Microsoft.KeyVault(VaultName=kv-acrbot;SecretName=bot-password)';
    const problems = problemsOf({ MicrosoftAppPassword: reference });
    expect(problems).toContainEqual(
      expect.stringMatching(/^MicrosoftAppPassword is a Key Vault reference that App Service could not resolve/),
    );
    expect(problems.join('\n')).not.toContain('bot-password');
  });
});

describe('ACRBOT_STORAGE and other values', () => {
  test.each<[string, AppConfig['storage']]>([
    ['memory', { kind: 'memory' }],
    ['sqlite:/var/lib/acrbot/acrbot.db', { kind: 'sqlite', path: '/var/lib/acrbot/acrbot.db' }],
    ['sqlite::memory:', { kind: 'sqlite', path: ':memory:' }],
    [
      'tables:https://acrbotstore.table.core.windows.net/',
      { kind: 'tables', connection: { kind: 'identity', endpoint: 'https://acrbotstore.table.core.windows.net' } },
    ],
    [
      'tables:DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;',
      {
        kind: 'tables',
        connection: {
          kind: 'connectionString',
          value:
            'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;',
        },
      },
    ],
    [
      // The SDK uses TableEndpoint when given: the protocol setting then builds nothing.
      'tables:DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=a2V5;TableEndpoint=https://acct.table.core.windows.net;',
      {
        kind: 'tables',
        connection: {
          kind: 'connectionString',
          value:
            'DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=a2V5;TableEndpoint=https://acct.table.core.windows.net;',
        },
      },
    ],
  ])('%s', (storage, expected) => {
    expect(loadConfig({ ACRBOT_STORAGE: storage }).storage).toEqual(expected);
  });

  test('ACRBOT_TABLE_PREFIX names the tables; it is validated', () => {
    expect(
      loadConfig({ ACRBOT_STORAGE: 'tables:https://a.table.core.windows.net', ACRBOT_TABLE_PREFIX: 'acrbotprod' })
        .storage,
    ).toMatchObject({ kind: 'tables', prefix: 'acrbotprod' });
    expect(problemsOf({ ACRBOT_TABLE_PREFIX: 'acr-bot' })).toEqual([
      'ACRBOT_TABLE_PREFIX must start with a letter and hold only letters and digits (at most 40)',
    ]);
  });

  test.each([
    ['sqlite:/var/lib/acrbot/acrbot.db', 'a SQLite file'],
    [undefined, 'a SQLite file (the default: ACRBOT_STORAGE is not set)'],
    ['sqlite::memory:', 'SQLite in memory'],
    ['memory', 'memory'],
  ])('ACRBOT_TABLE_PREFIX with ACRBOT_STORAGE=%s is refused: it would name no table', (storage, store) => {
    expect(problemsOf({ ACRBOT_STORAGE: storage, ACRBOT_TABLE_PREFIX: 'acrbotprod' })).toEqual([
      `ACRBOT_TABLE_PREFIX applies only to ACRBOT_STORAGE=tables:…, and the store here is ${store}: ` +
        'remove ACRBOT_TABLE_PREFIX, or set ACRBOT_STORAGE=tables:… if the store was meant to be Azure Tables',
    ]);
  });

  test('a malformed ACRBOT_STORAGE beside ACRBOT_TABLE_PREFIX is the one problem (not blamed on its fallback)', () => {
    expect(problemsOf({ ACRBOT_STORAGE: 'postgres://db', ACRBOT_TABLE_PREFIX: 'acrbotprod' })).toEqual([
      expect.stringMatching(/^ACRBOT_STORAGE: must be/),
    ]);
  });

  test('a rejected tables: value never appears in the problems (the key or SAS is a secret)', () => {
    for (const value of [
      'tables:AccountName=a;AccountKey=SECRETKEY;TableEndpoint=http://10.0.0.5:10002/a',
      'tables:DefaultEndpointsProtocol=http;AccountName=a;AccountKey=SECRETKEY;EndpointSuffix=core.windows.net',
      'tables:https://a.table.core.windows.net/?sig=SECRETKEY',
      'tables:SECRETKEY',
    ]) {
      let message = '';
      try {
        loadConfig({ ACRBOT_STORAGE: value });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/ACRBOT_STORAGE/);
      expect(message).not.toContain('SECRETKEY');
    }
  });

  test.each([
    ['0', 0],
    ['8080', 8080],
    ['65535', 65535],
  ])('PORT %s', (port, expected) => {
    expect(loadConfig({ PORT: port }).port).toBe(expected);
  });

  test.each(['-1', '65536', 'http', '80.5'])('PORT %s is refused', (port) => {
    expect(problemsOf({ PORT: port })).toHaveLength(1);
  });

  test('https endpoints lose trailing slashes; justification policy maps to a boolean', () => {
    expect(
      loadConfig({
        ACRBOT_ARM_ENDPOINT: 'https://localhost:8443//',
        ACRBOT_GRAPH_ENDPOINT: 'https://localhost:8444/',
        ACRBOT_APPROVER_JUSTIFICATION: 'required',
      }),
    ).toMatchObject({
      armEndpoint: 'https://localhost:8443',
      graphEndpoint: 'https://localhost:8444',
      approverJustificationRequired: true,
    });
  });
});

describe('abuse limits, dialog TTL and the sandbox-in-production guard (#11)', () => {
  test('ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS: off in azure mode unless set, on in the sandbox unless set', () => {
    expect(loadConfig(AZURE).allowLocalAccountClusters).toBe(false);
    expect(loadConfig({ ...AZURE, ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS: 'true' }).allowLocalAccountClusters).toBe(true);
    expect(sandboxConfig({}).allowLocalAccountClusters).toBe(true);
    expect(sandboxConfig({ ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS: 'false' }).allowLocalAccountClusters).toBe(false);
    expect(problemsOf({ ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS: 'yes' })).toEqual([
      'ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS must be "true" or "false"',
    ]);
  });

  test('limits and the dialog TTL are read and checked', () => {
    expect(
      loadConfig({ ACRBOT_MAX_PENDING_PER_USER: '2', ACRBOT_REQUESTS_PER_MINUTE: '3', ACRBOT_DIALOG_TTL: '5m' }),
    ).toMatchObject({ limits: { maxPendingPerUser: 2, requestsPerMinute: 3 }, dialogTtlMs: 300_000 });
    expect(problemsOf({ ACRBOT_MAX_PENDING_PER_USER: '0' })).toEqual([
      'ACRBOT_MAX_PENDING_PER_USER must be a whole number from 1 to 100000',
    ]);
    expect(problemsOf({ ACRBOT_DIALOG_TTL: '10s' })).toEqual(['ACRBOT_DIALOG_TTL must lie between 1m and 24h']);
  });

  test('ACRBOT_TAB_INVENTORY_TTL: 60 s by default, read, and kept between 1s and 10m', () => {
    expect(loadConfig({}).tabInventoryTtlMs).toBe(60_000);
    expect(loadConfig({ ACRBOT_TAB_INVENTORY_TTL: '5m' }).tabInventoryTtlMs).toBe(300_000);
    const problem =
      'ACRBOT_TAB_INVENTORY_TTL must lie between 1s and 10m (how long the tab reuses the matrix read from Azure)';
    expect(problemsOf({ ACRBOT_TAB_INVENTORY_TTL: '11m' })).toEqual([problem]);
    expect(problemsOf({ ACRBOT_TAB_INVENTORY_TTL: 'soon' })).toEqual([
      'ACRBOT_TAB_INVENTORY_TTL: "soon" is not a duration; use e.g. 24h, 90m or 7d',
    ]);
  });

  test('ACRBOT_MODE=sandbox with NODE_ENV=production refuses to start unless explicitly allowed', () => {
    expect(problemsOf({ ACRBOT_MODE: 'sandbox', NODE_ENV: 'production' })[0]).toMatch(
      /^ACRBOT_MODE=sandbox with NODE_ENV=production: the sandbox accepts unauthenticated calls/,
    );
    expect(
      loadConfig({ ACRBOT_MODE: 'sandbox', NODE_ENV: 'production', ACRBOT_ALLOW_SANDBOX_IN_PRODUCTION: 'true' }).mode,
    ).toBe('sandbox');
  });
});
