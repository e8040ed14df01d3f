/**
 * Least-privilege and no-secrets checks on the Bicep templates. Bicep cannot be compiled on
 * this machine, so these read the templates as text: they pin the role ids, the ABAC
 * condition, the absence of broad roles and subscription scope, and that nothing secret is
 * output. `az deployment group what-if` is the compile check (docs/deploy.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const INFRA = path.resolve(__dirname, '..', '..', 'infra');
const read = (rel: string) => fs.readFileSync(path.join(INFRA, rel), 'utf8');
const bicepFiles = [
  'main.bicep',
  ...fs
    .readdirSync(path.join(INFRA, 'modules'))
    .filter((f) => f.endsWith('.bicep'))
    .map((f) => `modules/${f}`),
];
const all = Object.fromEntries(bicepFiles.map((f) => [f, read(f)]));

/**
 * Bicep without `//` line comments, so prose in comments cannot satisfy or fail a check.
 * Quote-aware: `//` inside a string ('https://…') is kept. Multi-line ''' strings hold no `//` here.
 */
const code = (text: string) =>
  text
    .split('\n')
    .map((line) => {
      let inString = false;
      for (let i = 0; i < line.length; i++) {
        if (line[i] === '\\') {
          i++;
          continue;
        }
        if (line[i] === "'") inString = !inString;
        else if (!inString && line[i] === '/' && line[i + 1] === '/') return line.slice(0, i);
      }
      return line;
    })
    .join('\n');

/** Parameters whose name looks like a secret and that lack `@secure()` in the four lines above. */
function unsecuredSecretParams(bicep: string): string[] {
  const lines = bicep.split('\n');
  return lines.flatMap((line, i) => {
    const m = line.match(/^\s*param\s+(\w+)\s/);
    if (!m || !/secret|password|key$|token/i.test(m[1])) return [];
    const decorators = lines.slice(Math.max(0, i - 4), i).join('\n');
    return decorators.includes('@secure()') ? [] : [m[1]];
  });
}

/**
 * Whether the anchor container's immutability policy is deployed with main.bicep parameters
 * `given`: the policy's `if (…)` in storage.bicep, evaluated with what main.bicep passes the
 * storage module (main's defaults for parameters `given` leaves out; storage.bicep's for
 * parameters main passes none). Bicep cannot run here: the few functions these expressions use
 * are mirrored, and their literals and operators (`!`, `? :`, `'…'`, `[…]`) read the same in
 * JavaScript.
 */
function anchorPolicyDeployed(given: Record<string, unknown>): boolean {
  const main = code(read('main.bicep'));
  const storage = code(read('modules/storage.bicep'));
  const functions = {
    contains: (list: unknown[], item: unknown) => list.includes(item),
    union: (...lists: unknown[][]) => [...new Set(lists.flat())],
    empty: (v: unknown[] | string) => v.length === 0,
  };
  const evaluate = (expression: string, scope: Record<string, unknown>): unknown => {
    const names = [...Object.keys(functions), ...Object.keys(scope)];
    const values = [...Object.values(functions), ...Object.values(scope)];
    return new Function(...names, `return (${expression});`)(...values);
  };
  const defaults = (bicep: string) =>
    Object.fromEntries([...bicep.matchAll(/^param (\w+) [^=\n]+= (.+)$/gm)].map((m) => [m[1], m[2]]));
  const identifiers = (expression: string) => expression.replace(/'[^']*'/g, '').match(/\b[A-Za-z_]\w*\b/g) ?? [];
  /** The values of the parameters of `defaultsOf` that `expression` names: `given`, else their defaults. */
  const scopeOf = (expression: string, defaultsOf: Record<string, string>, values: Record<string, unknown> = {}) =>
    Object.fromEntries(
      identifiers(expression)
        .filter((name) => name in defaultsOf || name in values)
        .map((name) => [name, name in values ? values[name] : evaluate(defaultsOf[name]!, {})]),
    );
  const condition = storage.match(/resource anchorImmutability '[^']+' = if \((.+)\) \{/)![1]!;
  const module = main.slice(main.indexOf("module storage 'modules/storage.bicep'"));
  const passed = Object.fromEntries(
    [...module.slice(module.indexOf('params: {'), module.indexOf('\n}')).matchAll(/^\s+(\w+): (.+)$/gm)].map((m) => [
      m[1],
      m[2],
    ]),
  );
  const mainDefaults = defaults(main);
  const storageDefaults = defaults(storage);
  const storageValues = Object.fromEntries(
    identifiers(condition)
      .filter((name) => name in storageDefaults || name in passed)
      .map((name) => {
        const expression = passed[name];
        if (expression === undefined) return [name, evaluate(storageDefaults[name]!, {})];
        return [name, evaluate(expression, scopeOf(expression, mainDefaults, given))];
      }),
  );
  return Boolean(evaluate(condition, storageValues));
}

const POLICY_DEFINITION = 'modules/acr-token-policy-definition.bicep';

/** Reader on the module's resource group: no scope (the deployment's target), named per group so registry and cluster modules share it. */
const RG_READER = /^(?![\s\S]*\n\s*scope:)[\s\S]*name:\s*guid\(resourceGroup\(\)\.id, principalId, reader\)/;

const ROLE = {
  rbacAdministrator: 'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
  repositoryReader: 'b93aa761-3e63-49ed-ac28-beffa264f7ac',
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  aksClusterUser: '4abbcc35-e782-43d8-92c5-2d3f1bd2253f',
  owner: '8e3af657-a8ff-443b-a75f-fb2ccd3bd3ad',
  contributor: 'b24988ac-6180-42e0-ab88-20f7382d58fe',
  userAccessAdministrator: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
};

/** Every `resource x 'Microsoft.Authorization/roleAssignments@…' = { … }` block, by brace matching. */
function roleAssignmentBlocks(text: string): string[] {
  const blocks: string[] = [];
  const re = /resource\s+\w+\s+'Microsoft\.Authorization\/roleAssignments@[^']+'\s*=\s*(\[\s*for[^:]*:\s*)?\{/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let depth = 1;
    let i = re.lastIndex;
    while (depth > 0 && i < text.length) {
      if (text[i] === '{') depth++;
      if (text[i] === '}') depth--;
      i++;
    }
    blocks.push(text.slice(m.index, i));
  }
  return blocks;
}

describe('infra: least privilege for the bot identity', () => {
  const registry = code(read('modules/registry-access.bicep'));
  const cluster = code(read('modules/cluster-access.bicep'));

  it('never uses Owner, Contributor or User Access Administrator', () => {
    for (const [file, text] of Object.entries(all)) {
      for (const id of [ROLE.owner, ROLE.contributor, ROLE.userAccessAdministrator]) {
        expect({ file, found: text.toLowerCase().includes(id) }).toEqual({ file, found: false });
      }
    }
  });

  it('deploys nothing at subscription, management group or tenant scope (but the inert policy definition)', () => {
    for (const [file, text] of Object.entries(all)) {
      const target = code(text).match(/targetScope\s*=\s*'(\w+)'/);
      // A policy definition cannot live in a resource group; it grants nothing until assigned,
      // and that module holds nothing else (checked in 'infra: pull-only ACR tokens').
      const expected = file === POLICY_DEFINITION ? 'subscription' : 'resourceGroup';
      expect({ file, scope: target ? target[1] : 'resourceGroup' }).toEqual({ file, scope: expected });
      // Only the policy definition module is deployed at a subscription (its module block is
      // pinned in 'infra: pull-only ACR tokens').
      const subscriptionScoped = code(text).match(/scope:\s*subscription\(/g) ?? [];
      expect({ file, count: subscriptionScoped.length }).toEqual({ file, count: file === 'main.bicep' ? 1 : 0 });
      expect(code(text)).not.toMatch(/scope:\s*(managementGroup|tenant)\(/);
    }
  });

  it('gives Role Based Access Control Administrator on the registry only with the ABAC condition', () => {
    const blocks = roleAssignmentBlocks(registry).filter((b) => b.includes('rbacAdministrator'));
    expect(blocks).toHaveLength(1);
    const [block] = blocks;
    expect(registry).toContain(`'${ROLE.rbacAdministrator}'`);
    expect(block).toMatch(/scope:\s*registry\b/);
    expect(block).toMatch(/condition:\s*delegationCondition/);
    expect(block).toContain("conditionVersion: '2.0'");
    expect(block).toContain("principalType: 'ServicePrincipal'");
  });

  it('the condition allows only AcrPull and Repository Reader, to service principals, for write and delete', () => {
    const condition = registry.match(/var delegationCondition = '''([\s\S]*?)'''/)![1];
    const write = condition.slice(0, condition.indexOf('roleAssignments/delete'));
    const del = condition.slice(condition.indexOf('roleAssignments/delete'));
    expect(write).toContain("ActionMatches{'Microsoft.Authorization/roleAssignments/write'}");
    expect(write).toMatch(
      new RegExp(
        `@Request\\[Microsoft\\.Authorization/roleAssignments:RoleDefinitionId\\] ForAnyOfAnyValues:GuidEquals \\{${ROLE.acrPull}, ${ROLE.repositoryReader}\\}`,
      ),
    );
    expect(write).toMatch(
      /@Request\[Microsoft\.Authorization\/roleAssignments:PrincipalType\] ForAnyOfAnyValues:StringEqualsIgnoreCase \{'ServicePrincipal'\}/,
    );
    expect(del).toMatch(
      new RegExp(
        `@Resource\\[Microsoft\\.Authorization/roleAssignments:RoleDefinitionId\\] ForAnyOfAnyValues:GuidEquals \\{${ROLE.acrPull}, ${ROLE.repositoryReader}\\}`,
      ),
    );
    // Deleting too only for service principals: not a person's or group's pull access.
    expect(del).toMatch(
      /@Resource\[Microsoft\.Authorization\/roleAssignments:PrincipalType\] ForAnyOfAnyValues:StringEqualsIgnoreCase \{'ServicePrincipal'\}/,
    );
    // Balanced parentheses: an unbalanced condition is rejected by ARM at deployment.
    let depth = 0;
    for (const ch of condition) {
      if (ch === '(') depth++;
      if (ch === ')') depth--;
      expect(depth).toBeGreaterThanOrEqual(0);
    }
    expect(depth).toBe(0);
  });

  it('gives Reader and a narrow custom token role on the registry', () => {
    expect(registry).toContain(`'${ROLE.reader}'`);
    const actions = registry
      .match(/actions:\s*\[([\s\S]*?)\]/)![1]
      .match(/'([^']+)'/g)!
      .map((s) => s.slice(1, -1))
      .sort();
    expect(actions).toEqual([
      'Microsoft.ContainerRegistry/registries/generateCredentials/action',
      'Microsoft.ContainerRegistry/registries/read',
      'Microsoft.ContainerRegistry/registries/scopeMaps/delete',
      'Microsoft.ContainerRegistry/registries/scopeMaps/read',
      // --repositories creates (and later deletes) a pull-only scope map (#11 §3).
      'Microsoft.ContainerRegistry/registries/scopeMaps/write',
      'Microsoft.ContainerRegistry/registries/tokens/*',
    ]);
    // Every action granted is explained by a comment in the Bicep (why the bot needs it).
    expect(read('modules/registry-access.bicep')).toMatch(/\/\/[^\n]*--repositories[\s\S]*scopeMaps\/write/);
    expect(registry).toMatch(/assignableScopes:\s*\[\s*resourceGroup\(\)\.id\s*\]/);
    expect(registry).toMatch(/existing\s*=\s*\{\s*name:\s*registryName/);
  });

  it('gives Reader and AKS Cluster User Role on each cluster, nothing else', () => {
    const ids = [...cluster.matchAll(/'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'/g)]
      .map((m) => m[1])
      .sort();
    expect(ids).toEqual([ROLE.aksClusterUser, ROLE.reader].sort());
    expect(roleAssignmentBlocks(cluster)).toHaveLength(2);
    expect(cluster).toMatch(/existing\s*=\s*\{\s*name:\s*clusterName/);
  });

  it('names every role assignment with guid(), sets principalType and a resource scope', () => {
    let count = 0;
    for (const [file, text] of Object.entries(all)) {
      for (const block of roleAssignmentBlocks(code(text))) {
        count++;
        expect({ file, block, guidName: /\n\s*name:\s*guid\(/.test(block) }).toMatchObject({ guidName: true });
        expect({ file, block, sp: block.includes("principalType: 'ServicePrincipal'") }).toMatchObject({ sp: true });
        // A resource scope, or none: the module's resource group, only for Reader (rgReader below).
        const scoped = /\n\s*scope:\s*\w+/.test(block) || RG_READER.test(block);
        expect({ file, block, scoped }).toMatchObject({ scoped: true });
      }
    }
    expect(count).toBeGreaterThanOrEqual(6);
  });

  it('gives Reader on the resource group of each registry and cluster (a deleted one reads 404, not 403), one shared assignment', () => {
    for (const text of [code(registry), code(cluster)]) {
      const readers = roleAssignmentBlocks(text).filter(
        (b) => b.includes('roleDefinitions', 0) && /,\s*reader\)/.test(b),
      );
      expect(readers).toHaveLength(1);
      expect(readers[0]).toMatch(RG_READER);
    }
  });

  it("main.bicep grants registry and cluster rights per resource, in that resource's group", () => {
    const main = code(read('main.bicep'));
    expect(main).toMatch(
      /module registryAccess 'modules\/registry-access\.bicep' = \[\s*for r in managedRegistries:[\s\S]*?scope: resourceGroup\(r\.subscriptionId, r\.resourceGroup\)/,
    );
    expect(main).toMatch(
      /module clusterAccess 'modules\/cluster-access\.bicep' = \[\s*for c in managedClusters:[\s\S]*?scope: resourceGroup\(c\.subscriptionId, c\.resourceGroup\)/,
    );
  });
});

describe('infra: pull-only ACR tokens (Azure Policy, #11 §3)', () => {
  const definition = code(read('modules/acr-token-policy-definition.bicep'));
  const assignment = code(read('modules/acr-token-policy.bicep'));
  const main = code(read('main.bicep'));
  const TOKEN_SCOPE_MAP = 'Microsoft.ContainerRegistry/registries/tokens/scopeMapId';
  const SCOPE_MAP_ACTIONS = 'Microsoft.ContainerRegistry/registries/scopeMaps/actions[*]';

  it('defines a Deny policy (mode All, so child resources are evaluated) and nothing else in that module', () => {
    const resources = [...definition.matchAll(/^resource\s+\w+\s+'([^@']+)@/gm)].map((m) => m[1]);
    expect(resources).toEqual(['Microsoft.Authorization/policyDefinitions']);
    expect(definition).toMatch(/targetScope = 'subscription'/);
    expect(definition).toMatch(/mode:\s*'All'/);
    expect(definition).toMatch(/effect:\s*\{[^}]*defaultValue:\s*'Deny'/);
    expect(definition).toMatch(/then:\s*\{\s*effect:\s*'\[parameters\(\\'effect\\'\)\]'/);
    expect(definition).not.toMatch(/roleAssignments|policyExemptions/);
  });

  it('(a) denies tokens bound to any scope map but _repositories_pull and acrbot-* (by the scopeMapId alias)', () => {
    expect(definition).toContain(`var tokenScopeMap = '${TOKEN_SCOPE_MAP}'`);
    const tokens = definition.slice(
      definition.indexOf("equals: 'Microsoft.ContainerRegistry/registries/tokens'"),
      definition.indexOf("equals: 'Microsoft.ContainerRegistry/registries/scopeMaps'"),
    );
    expect(tokens).toMatch(/value:\s*boundScopeMap\s*\n\s*notEquals:\s*'_repositories_pull'/);
    expect(tokens).toMatch(/value:\s*boundScopeMap\s*\n\s*notLike:\s*'acrbot-\*'/);
    expect(definition).toMatch(
      /var boundScopeMap = '\[if\(empty\(field\(.*last\(split\(field\(\\'\$\{tokenScopeMap\}\\'\), \\'\/\\'\)\)\)\]'/,
    );
    // Nothing else lets a token through: no other exception in the token branch.
    expect(tokens.match(/notEquals|notLike/g)).toHaveLength(2);
  });

  it('(b) denies scope maps with any action but repositories/*/content/read and …/metadata/read', () => {
    expect(definition).toContain(`var scopeMapActions = '${SCOPE_MAP_ACTIONS}'`);
    const maps = definition.slice(definition.indexOf("equals: 'Microsoft.ContainerRegistry/registries/scopeMaps'"));
    expect(maps).toMatch(/count:\s*\{\s*field:\s*scopeMapActions/);
    const allowed = [...maps.matchAll(/field:\s*scopeMapActions\s*\n\s*notLike:\s*'([^']+)'/g)].map((m) => m[1]).sort();
    expect(allowed).toEqual(['repositories/*/content/read', 'repositories/*/metadata/read']);
    expect(maps).toMatch(/greater:\s*0/);
  });

  it("is limited to the managed registries and assigned on each registry's resource group", () => {
    expect(definition).toMatch(
      /value:\s*'\[first\(split\(field\(\\'fullName\\'\), \\'\/\\'\)\)\]'\s*\n\s*in:\s*'\[parameters\(\\'registryNames\\'\)\]'/,
    );
    expect(assignment).toMatch(/resource \w+ 'Microsoft\.Authorization\/policyAssignments@[^']+' = \{/);
    expect(assignment).toMatch(
      /policyDefinitionId:\s*subscriptionResourceId\('Microsoft\.Authorization\/policyDefinitions', policyDefinitionName\)/,
    );
    expect(assignment).toMatch(/registryNames:\s*\{\s*value:\s*\[registryName\]/);
    expect(assignment).toMatch(/enforcementMode:\s*'Default'/);
    expect(main).toMatch(
      /module tokenPolicy 'modules\/acr-token-policy\.bicep' = \[\s*for r in managedRegistries:[\s\S]*?scope: resourceGroup\(r\.subscriptionId, r\.resourceGroup\)[\s\S]*?registryName: r\.name[\s\S]*?dependsOn: \[tokenPolicyDefinition\]/,
    );
    expect(main).toMatch(
      /module tokenPolicyDefinition 'modules\/acr-token-policy-definition\.bicep' = \[\s*for s in registrySubscriptionIds:[\s\S]*?scope: subscription\(s\)/,
    );
    expect(main).toMatch(
      /var registrySubscriptionIds = union\(map\(managedRegistries, r => r\.subscriptionId\), \[\]\)/,
    );
    expect(main).toMatch(/param pullOnlyPolicyEffect string = 'Deny'/);
  });

  it('docs/deploy.md promises pull-only token passwords only under Deny and without push tokens, and says how to check', () => {
    const doc = fs.readFileSync(path.resolve(INFRA, '..', 'docs', 'deploy.md'), 'utf8');
    const risk = doc.slice(doc.indexOf('- **Token passwords.**'), doc.indexOf('- **Deleting tokens and scope maps.**'));
    expect(risk.replace(/\s+/g, ' ')).toContain(
      "That is pull access only while the policy's effect is `Deny` **and** the registry has no token with push or admin rights",
    );
    expect(risk).not.toMatch(/never push/);
    const check = doc.slice(doc.indexOf('#### Before you add a registry'), doc.indexOf('**Aliases: what was verified'));
    expect(check).toContain('az acr token list -r "$REGISTRY"');
    expect(check).toContain('az acr scope-map show -r "$REGISTRY"');
    expect(check).toContain('az acr token delete -r "$REGISTRY"');
  });

  it('docs/deploy.md names the aliases and says how they were verified', () => {
    const doc = fs.readFileSync(path.resolve(INFRA, '..', 'docs', 'deploy.md'), 'utf8');
    for (const alias of [TOKEN_SCOPE_MAP, SCOPE_MAP_ACTIONS]) expect(doc).toContain(alias);
    expect(doc).toMatch(/az provider show --namespace Microsoft\.ContainerRegistry --expand "resourceTypes\/aliases"/);
  });
});

describe('infra: bot, app and configuration', () => {
  const main = code(read('main.bicep'));
  const bot = code(read('modules/bot.bicep'));
  const app = code(read('modules/app-service.bicep'));
  const storage = code(read('modules/storage.bicep'));

  it('registers a single-tenant bot (managed identity) with Teams enabled', () => {
    expect(bot).toMatch(/msaAppType:\s*'(UserAssignedMSI|SingleTenant)'/);
    expect(bot).not.toMatch(/MultiTenant/);
    expect(bot).toMatch(/name:\s*'MsTeamsChannel'[\s\S]*channelName:\s*'MsTeamsChannel'[\s\S]*isEnabled:\s*true/);
  });

  it('wires every configuration variable the bot reads', () => {
    for (const name of [
      'ACRBOT_MODE',
      'MicrosoftAppId',
      'MicrosoftAppType',
      'MicrosoftAppTenantId',
      'AZURE_CLIENT_ID',
      'ACRBOT_SUBSCRIPTION_IDS',
      'ACRBOT_APPROVERS',
      'ACRBOT_APPROVER_GROUP',
      'ACRBOT_POLICY',
      'ACRBOT_APPROVAL_CHANNEL',
      'ACRBOT_AUDIT_CHANNEL',
      'ACRBOT_ALLOWED_TENANTS',
    ]) {
      expect({ name, wired: new RegExp(`\\n\\s*${name}:`).test(main) }).toEqual({ name, wired: true });
    }
    expect(main).toMatch(/ACRBOT_MODE:\s*'azure'/);
    expect(main).toMatch(/MicrosoftAppType:\s*'UserAssignedMSI'/);
    // The App Insights connection string is a reference to the resource, never a literal.
    expect(app).toMatch(/APPLICATIONINSIGHTS_CONNECTION_STRING:\s*appInsights\.properties\.ConnectionString/);
    expect(app).toMatch(/resource appInsights '[^']+' existing/);
    // /readyz, which fails while the instance starts or its store or credential does not answer;
    // /healthz answers 200 whenever the process runs, so App Service would route to anything.
    expect(app).toMatch(/healthCheckPath:\s*'\/readyz'/);
    expect(fs.readFileSync(path.resolve(INFRA, '..', 'src', 'http', 'server.ts'), 'utf8')).toMatch(
      /server\.get\('\/readyz',[\s\S]*?deps\.checkReady\(\)/,
    );
    expect(app).toMatch(/httpsOnly:\s*true/);
    expect(app).toMatch(/ftpsState:\s*'Disabled'/);
  });

  it('bounds environmentName so the globally unique storage and vault names keep 8 characters of their token', () => {
    const main = code(read('main.bicep'));
    // The decorator lines just above the parameter.
    const decorators = main.match(/((?:^@.*\n)+)param environmentName string/m)?.[1] ?? '';
    const max = Number(decorators.match(/@maxLength\((\d+)\)/)?.[1]);
    // 'kv-' + name + '-' + token, and 'st' + name + token, cut at 24 characters.
    expect(24 - 'kv-'.length - max - '-'.length).toBeGreaterThanOrEqual(8);
    expect(24 - 'st'.length - max).toBeGreaterThanOrEqual(8);
    const value: string = JSON.parse(read('main.parameters.json')).parameters.environmentName.value;
    expect(value.length).toBeLessThanOrEqual(max);
  });

  it('keeps shared keys off the storage account', () => {
    expect(storage).toMatch(/allowSharedKeyAccess:\s*false/);
    expect(storage).toMatch(/allowBlobPublicAccess:\s*false/);
  });

  it('lets the storage redundancy be chosen: zone-redundant by default, LRS and GRS for regions without zones', () => {
    for (const [text, name] of [
      [main, 'storageSku'],
      [storage, 'sku'],
    ] as const) {
      const block = text.match(new RegExp(`((?:^@.*\\n)+)param ${name} string = 'Standard_ZRS'$`, 'm'));
      expect({ name, declared: Boolean(block) }).toEqual({ name, declared: true });
      const allowed = block![1].match(/@allowed\(\[([^\]]*)\]\)/)![1];
      for (const sku of ['Standard_LRS', 'Standard_ZRS', 'Standard_GRS']) expect(allowed).toContain(`'${sku}'`);
    }
    expect(storage).toMatch(/sku: \{ name: sku \}/);
    expect(storage).not.toMatch(/name: 'Standard_ZRS'/);
    expect(main).toMatch(/module storage 'modules\/storage\.bicep' = \{[\s\S]*?\n\s*sku: storageSku\n/);
  });

  it('lets the deployer choose how long logs and telemetry are kept (they carry object ids)', () => {
    expect(main).toMatch(
      /@minValue\(30\)\n@maxValue\(730\)\n@description\([^\n]*\)\nparam logRetentionInDays int = 90$/m,
    );
    expect(main).toMatch(
      /module monitoring 'modules\/monitoring\.bicep' = \{[\s\S]*?\n\s*retentionInDays: logRetentionInDays\n/,
    );
    expect(code(read('modules/monitoring.bicep'))).toMatch(/retentionInDays: retentionInDays/);
  });
});

describe('infra: scale-out store (#12)', () => {
  const main = code(read('main.bicep'));
  const app = code(read('modules/app-service.bicep'));
  const storage = code(read('modules/storage.bicep'));
  const vault = code(read('modules/key-vault.bicep'));
  const TABLE_DATA_CONTRIBUTOR = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3';

  it('runs at least two App Service instances and keeps no database on the /home share', () => {
    expect(main).toMatch(
      /@minValue\(2\)\s*\n\s*@maxValue\(\d+\)\s*\n\s*@description\('[^']*'\)\s*\nparam instanceCount int = [2-9]/,
    );
    expect(main).toMatch(/instanceCount:\s*instanceCount/);
    expect(app).toMatch(/capacity:\s*instanceCount/);
    expect(app).toMatch(/WEBSITES_ENABLE_APP_SERVICE_STORAGE:\s*'false'/);
    for (const [file, text] of Object.entries(all))
      expect({ file, sqlite: /sqlite:|\/home\//.test(code(text)) }).toEqual({ file, sqlite: false });
  });

  it('reaches the Table service with the managed identity: tables:<endpoint>, no key, shared keys off', () => {
    expect(main).toMatch(/ACRBOT_STORAGE:\s*'tables:\$\{storage\.outputs\.tableEndpoint\}'/);
    expect(storage).toMatch(/output tableEndpoint string = account\.properties\.primaryEndpoints\.table/);
    expect(storage).toMatch(/allowSharedKeyAccess:\s*false/);
    expect(main).toMatch(/AZURE_CLIENT_ID:\s*identity\.outputs\.clientId/);
  });

  it('grants Storage Table Data Contributor on that storage account only', () => {
    const blocks = Object.entries(all).flatMap(([file, text]) =>
      roleAssignmentBlocks(code(text))
        .filter((b) => b.includes(TABLE_DATA_CONTRIBUTOR) || /storageTableDataContributor/.test(b))
        .map((b) => ({ file, b })),
    );
    expect(blocks).toHaveLength(1);
    expect(blocks[0].file).toBe('modules/storage.bicep');
    expect(blocks[0].b).toMatch(/scope:\s*account\s*\n/);
    expect(storage).toContain(`var storageTableDataContributor = '${TABLE_DATA_CONTRIBUTOR}'`);
  });

  it('keeps audit anchors in an append-only container with a time-based immutability policy', () => {
    expect(storage).toMatch(
      /resource anchorImmutability '[^']*immutabilityPolicies@[^']+' = if \([^\n]*\) \{\n\s*parent: anchorContainer\n/,
    );
    expect(storage).toMatch(
      /resource anchorContainer '[^']*'[^{]*\{\n\s*parent: blobService\n\s*name: anchorContainerName\n/,
    );
    // A locked policy cannot be written again: once locked, the deployment must leave it alone.
    expect(anchorPolicyDeployed({})).toBe(true);
    expect(anchorPolicyDeployed({ lockedAnchorContainers: ['audit-anchors'] })).toBe(false);
    expect(storage).toMatch(/allowProtectedAppendWrites:\s*true/);
    expect(storage).toMatch(/immutabilityPeriodSinceCreationInDays:\s*anchorRetentionDays/);
    const anchorRole = roleAssignmentBlocks(storage).find((b) => b.includes('anchorContainer'));
    expect(anchorRole).toMatch(/scope:\s*anchorContainer\s*\n/);
  });

  it('gives a new anchor container its immutability policy while the old one stays locked (the policy follows the container)', () => {
    // docs/operations.md: after a leaked key or a change of store, a new anchor container.
    expect(
      anchorPolicyDeployed({ lockedAnchorContainers: ['audit-anchors'], anchorContainerName: 'audit-anchors-2' }),
    ).toBe(true);
    // A parameters file of before lockedAnchorContainers: anchorPolicyLocked still says the
    // default container is locked, and only that one.
    expect(anchorPolicyDeployed({ anchorPolicyLocked: true })).toBe(false);
    expect(anchorPolicyDeployed({ anchorPolicyLocked: true, anchorContainerName: 'audit-anchors-2' })).toBe(true);
    expect(
      anchorPolicyDeployed({
        anchorPolicyLocked: true,
        lockedAnchorContainers: ['audit-anchors-2'],
        anchorContainerName: 'audit-anchors-2',
      }),
    ).toBe(false);
    // The bot writes where the template put the policy: ACRBOT_AUDIT_ANCHOR names that container.
    expect(main).toMatch(/ACRBOT_AUDIT_ANCHOR:\s*storage\.outputs\.anchorContainerUrl/);
    expect(storage).toMatch(/output anchorContainerUrl string = '[^']*\$\{anchorContainer\.name\}'/);
    // The lock command locks the container the deployment made, not a fixed name.
    const doc = fs.readFileSync(path.resolve(INFRA, '..', 'docs', 'deploy.md'), 'utf8');
    const anchors = doc.slice(doc.indexOf('### The audit anchors'), doc.indexOf('## Troubleshooting'));
    expect(anchors).toMatch(/immutability-policy lock [^\n]*--container-name "\$[A-Z_]+"/);
    expect(anchors).not.toMatch(/--container-name audit-anchors/);
  });

  it('takes ACRBOT_AUDIT_KEY from Key Vault through a Key Vault reference (read by the bot identity, on its own vault)', () => {
    expect(main).toMatch(
      /ACRBOT_AUDIT_KEY:\s*'@Microsoft\.KeyVault\(VaultName=\$\{vault\.outputs\.vaultName\};SecretName=acrbot-audit-key\)'/,
    );
    expect(vault).toContain("var auditMacEntryName = 'acrbot-audit-key'");
    expect(vault).toMatch(/enableRbacAuthorization:\s*true/);
    expect(vault).toMatch(/enablePurgeProtection:\s*true/);
    const reader = roleAssignmentBlocks(vault);
    expect(reader).toHaveLength(1);
    // On the vault, which holds only this secret: a role on a secret that does not exist yet (it
    // is created after the first deployment) would fail that deployment.
    expect(reader[0]).toMatch(/scope:\s*vault\s*\n/);
    expect(vault).not.toMatch(/existing\s*=/);
    expect(reader[0]).toContain('keyVaultSecretsUser');
    expect(vault).toContain("var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'");
    expect(app).toMatch(/keyVaultReferenceIdentity:\s*identityResourceId/);
    // The template never sets the secret's value (a redeploy would orphan the MACs already written).
    expect(vault).not.toMatch(/\bvalue:/);
  });
});

describe('infra: settings a deployment keeps (extraAppSettings)', () => {
  const main = code(read('main.bicep'));
  const app = code(read('modules/app-service.bicep'));
  /** The decorator lines right above `param <name>`. */
  const decorators = (text: string, name: string) =>
    text.match(new RegExp(`((?:^@.*\\n)+)param ${name}\\b`, 'm'))?.[1] ?? '';

  it('takes the settings the template does not make, as a secure object passed to the app', () => {
    // Every deployment replaces the whole settings collection: without this parameter, a setting
    // set by hand (a table prefix, the proxy, ACRBOT_AUDITORS) vanished at the next upgrade.
    expect(main).toMatch(/^param extraAppSettings object = \{\}$/m);
    expect(decorators(main, 'extraAppSettings')).toContain('@secure()');
    expect(main).toMatch(
      /module app 'modules\/app-service\.bicep' = \{[\s\S]*?\n\s*extraAppSettings: extraAppSettings\n/,
    );
    expect(app).toMatch(/^param extraAppSettings object = \{\}$/m);
    expect(decorators(app, 'extraAppSettings')).toContain('@secure()');
    const parameters = JSON.parse(read('main.parameters.json')).parameters;
    expect(parameters.extraAppSettings).toEqual({ value: {} });
  });

  it("refuses a name the template sets, and the template's own settings come last in the union", () => {
    expect(app).toMatch(
      /var templateSettingNames = map\(union\(objectKeys\(appSettings\), ownSettingNames\), n => toLower\(n\)\)/,
    );
    expect(app).toMatch(
      /var clashingSettingNames = filter\(objectKeys\(extraAppSettings\), n => contains\(templateSettingNames, toLower\(n\)\)\)/,
    );
    expect(app).toMatch(
      /properties: empty\(clashingSettingNames\)\s*\n\s*\? union\(platformSettings, containerSettings, extraAppSettings, appSettings, tabSettings\)\s*\n\s*: fail\('extraAppSettings names \$\{join\(clashingSettingNames, ', '\)\}/,
    );
  });

  it('docs/deploy.md lists every main.bicep parameter and says settings set by hand are removed', () => {
    const doc = fs.readFileSync(path.resolve(INFRA, '..', 'docs', 'deploy.md'), 'utf8');
    const table = doc.slice(doc.indexOf('## 2. Fill in the parameters'), doc.indexOf('To get a channel id'));
    const rows = [...table.matchAll(/^\| `(\w+)`/gm)].map((m) => m[1]).sort();
    const params = [...main.matchAll(/^param (\w+)/gm)].map((m) => m[1]).sort();
    expect(rows).toEqual(params);
    const settings = doc.slice(doc.indexOf('### App settings'), doc.indexOf('## 3. Preview, then deploy'));
    expect(settings.replace(/\s+/g, ' ')).toContain(
      'a setting set by hand (in the portal, or with `az webapp config appsettings set`) is removed by the next deployment',
    );
    const readme = fs.readFileSync(path.resolve(INFRA, '..', 'README.md'), 'utf8');
    const intro = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('| variable | default | meaning |'));
    expect(intro.replace(/\s+/g, ' ')).toMatch(
      /a setting set by hand is removed by the next deployment\. Put every setting the template does not make in its `extraAppSettings` parameter/,
    );
  });
});

describe('infra: the tab', () => {
  const main = code(read('main.bicep'));
  const app = code(read('modules/app-service.bicep'));

  it("offers the tab only with an app registration of its own, served from the site's own host name", () => {
    // A managed identity cannot expose an API: the tabs' sign-on needs tabAppId, empty = tabs off.
    expect(main).toMatch(/param tabAppId string = ''/);
    expect(main).toMatch(/tabAppId:\s*tabAppId/);
    expect(main).toMatch(/output TAB_APP_ID string = tabAppId/);
    // Lower case: the bot refuses an ACRBOT_TAB_DOMAIN with capitals, and the package lowercases BOT_DOMAIN.
    expect(app).toMatch(
      /var tabHost = empty\(tabDomain\) \? site\.properties\.defaultHostName : toLower\(tabDomain\)\n/,
    );
    // The package's tab URLs and SSO resource name the same host as the server's ACRBOT_TAB_DOMAIN.
    expect(main).toMatch(
      /output BOT_DOMAIN string = empty\(tabDomain\) \? app\.outputs\.defaultHostName : toLower\(tabDomain\)\n/,
    );
    expect(app).toMatch(
      /var tabSettings = empty\(tabAppId\) \? \{\} : \{ ACRBOT_TAB_APP_ID: tabAppId, ACRBOT_TAB_DOMAIN: tabHost \}/,
    );
    expect(app).toMatch(/\? union\(platformSettings, containerSettings, extraAppSettings, appSettings, tabSettings\)/);
    // In the parameters file, so a redeployment from it keeps the tabs (the settings are replaced whole).
    const parameters = JSON.parse(read('main.parameters.json')).parameters;
    expect(parameters).toMatchObject({ tabAppId: { value: '' }, tabDomain: { value: '' } });
    // The settings are one child resource (the host name exists once the site does), not siteConfig too.
    expect(app).toMatch(
      /resource settings 'Microsoft\.Web\/sites\/config@[^']+' = \{\s*parent: site\s*name: 'appsettings'/,
    );
    expect(app).not.toMatch(/appSettings:\s*\[/);
  });
});

describe('infra: no secrets', () => {
  it('never lists keys or credentials and outputs nothing secret', () => {
    for (const [file, text] of Object.entries(all)) {
      const c = code(text);
      expect({ file, listCall: /\blist[A-Za-z]*\(/.test(c) }).toEqual({ file, listCall: false });
      for (const line of c.split('\n').filter((l) => /^\s*output\s/.test(l))) {
        expect({ file, line }).not.toMatchObject({
          line: expect.stringMatching(/secret|password|key|connectionstring|token|credential/i),
        });
      }
      expect({ file, accountKey: /AccountKey=|InstrumentationKey=|SharedAccessSignature/i.test(c) }).toEqual({
        file,
        accountKey: false,
      });
    }
  });

  it('marks any secret-looking parameter @secure()', () => {
    // The check itself: one secret-looking parameter without the decorator is found, one with it
    // (and one that only ends in "Id") is not.
    expect(
      unsecuredSecretParams(
        "param dbPassword string\n@secure()\n@description('x')\nparam apiKey string\nparam keyVaultId string\n",
      ),
    ).toEqual(['dbPassword']);
    // The templates declare no secret parameter today; one added without @secure() fails here.
    const unsecured = Object.entries(all).flatMap(([file, text]) =>
      unsecuredSecretParams(code(text)).map((param) => `${file}: ${param}`),
    );
    expect(unsecured).toEqual([]);
  });

  it('main.parameters.json is valid JSON, names only declared parameters, and holds no secret', () => {
    const raw = fs.readFileSync(path.join(INFRA, 'main.parameters.json'), 'utf8');
    const params = JSON.parse(raw) as { parameters: Record<string, unknown> };
    const declared = new Set([...code(read('main.bicep')).matchAll(/^param\s+(\w+)\s/gm)].map((m) => m[1]));
    expect(declared.size).toBeGreaterThan(5);
    for (const name of Object.keys(params.parameters))
      expect({ name, declared: declared.has(name) }).toEqual({ name, declared: true });
    // Parameters without a default must be in the file, or `az deployment group create` prompts.
    const required = [...code(read('main.bicep')).matchAll(/^param\s+(\w+)\s+[\w\[\]]+\s*$/gm)].map((m) => m[1]);
    for (const name of required) expect(Object.keys(params.parameters)).toContain(name);
    expect(raw).not.toMatch(/password|secret|AccountKey/i);
  });

  it('main.parameters.json holds imageRegistry, whose empty subscription and group mean the deployment’s own', () => {
    // Without it in the file, a redeployment from the file with an image on a private registry
    // never gives the bot identity AcrPull there (the default names no registry).
    const params = JSON.parse(read('main.parameters.json')).parameters;
    expect(params.imageRegistry).toEqual({ value: { subscriptionId: '', resourceGroup: '', name: '' } });
    const main = code(read('main.bicep'));
    expect(main).toMatch(/scope:\s*resourceGroup\(imageRegistrySubscriptionId, imageRegistryResourceGroup\)/);
    expect(main).toMatch(
      /var imageRegistrySubscriptionId = empty\(imageRegistry\.subscriptionId\)\s*\?\s*subscription\(\)\.subscriptionId\s*:\s*imageRegistry\.subscriptionId/,
    );
    expect(main).toMatch(
      /var imageRegistryResourceGroup = empty\(imageRegistry\.resourceGroup\)\s*\?\s*resourceGroup\(\)\.name\s*:\s*imageRegistry\.resourceGroup/,
    );
  });

  it('every module main.bicep references exists', () => {
    const main = read('main.bicep');
    for (const m of main.matchAll(/module\s+\w+\s+'([^']+)'/g))
      expect(fs.existsSync(path.join(INFRA, m[1]))).toBe(true);
  });
});
