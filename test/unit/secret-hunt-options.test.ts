/**
 * Secret flow options a real service would take otherwise than acrbot did: `--repositories` lists
 * split by a space, ACR's repository grammar and length, names given twice or left out between
 * two commas, and the plan's line for a service principal naming the application it will create.
 */
import { parseCommand } from '../../src/domain/command';
import { UserFacingError } from '../../src/domain/errors';
import type { ClusterInfo, RegistryInfo } from '../../src/domain/azure-model';
import type { RoleAssignmentPort } from '../../src/domain/ports';
import { applicationDisplayNameFor } from '../../src/domain/secret-credential';
import { checkSecretOptions, parseExpiry } from '../../src/domain/secret-options';
import type { ResourceResolver } from '../../src/flows/resource-resolver';
import { SecretPlanner } from '../../src/flows/secret-planner';

const MAX = 90 * 86_400_000;

function refusal(run: () => unknown): UserFacingError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(UserFacingError);
    return err as UserFacingError;
  }
  throw new Error('expected a refusal');
}

describe('--repositories typed with a space after a comma', () => {
  test.each([
    'secret aks-dev contosoacr --repositories team/app, team/worker deploy payments',
    'secret aks-dev contosoacr --repositories team/app ,team/worker deploy payments',
    'secret aks-dev contosoacr --repositories=team/app, team/worker deploy payments',
    // Before the positionals, the second name would have become the cluster.
    'secret --repositories team/app, team/worker aks-dev contosoacr deploy payments',
  ])('%j is refused, not cut to the first name', (text) => {
    const err = refusal(() => parseCommand(text));
    expect(err.code).toBe('validation.option');
    expect(err.message).toMatch(
      /followed by "(team\/worker|,team\/worker)": .*without spaces.*Nothing was requested\.$/,
    );
  });

  test('a list without spaces, or a comma at the very end, is read as before', () => {
    expect(parseCommand('secret aks-dev contosoacr --repositories team/app,team/worker deploy, now')).toMatchObject({
      options: { repositories: 'team/app,team/worker' },
      reason: 'deploy, now',
    });
    // Commas only: left to the options check, which says the list names no repository.
    expect(parseCommand('secret aks-dev contosoacr --repositories , pull')).toMatchObject({
      options: { repositories: ',' },
      reason: 'pull',
    });
    expect(parseCommand('secret aks-dev contosoacr deploy --repositories team/app,')).toMatchObject({
      options: { repositories: 'team/app,' },
      reason: 'deploy',
    });
  });
});

describe('repository names as ACR takes them', () => {
  test.each(['my__app', 'team/my--app', 'team/a.b_c-d', 'a/b/c'])('%j is a valid name and kept', (name) => {
    expect(checkSecretOptions({ repositories: name }, MAX).repositories).toEqual([name]);
  });

  test.each(['team/app_', 'team/_app', 'team//app', 'team/app/', 'team/a___b', 'Team/App', 'team/a.-b'])(
    '%j is refused',
    (name) => {
      expect(refusal(() => checkSecretOptions({ repositories: name }, MAX)).message).toMatch(
        /is not a valid repository: lowercase path/,
      );
    },
  );

  test('at most 256 characters: one longer would be refused by ACR only after approval', () => {
    const longest = `team/${'a'.repeat(251)}`;
    expect(checkSecretOptions({ repositories: longest }, MAX).repositories).toEqual([longest]);
    const err = refusal(() => checkSecretOptions({ repositories: `${longest}b` }, MAX));
    expect(err.message).toMatch(/is not a valid repository: at most 256 characters \(this one has 257\)\.$/);
  });

  test('a wildcard is refused, saying wildcards are not taken', () => {
    const err = refusal(() => checkSecretOptions({ repositories: 'team/*' }, MAX));
    expect(err.message).toBe(
      '"team/*" is not a valid repository: wildcards are not taken; name each repository, e.g. team/app,team/worker.',
    );
  });
});

describe('repository lists', () => {
  test('a name given twice is one repository (one scope map action, counted once)', () => {
    expect(checkSecretOptions({ repositories: 'team/app,team/worker,team/app' }, MAX).repositories).toEqual([
      'team/app',
      'team/worker',
    ]);
    const twenty = Array.from({ length: 20 }, (_, i) => `team/app${i}`);
    expect(checkSecretOptions({ repositories: [...twenty, 'team/app0'].join(',') }, MAX).repositories).toEqual(twenty);
  });

  test('an empty entry between two names is refused: a name may be missing', () => {
    const err = refusal(() => checkSecretOptions({ repositories: 'team/app,,team/worker' }, MAX));
    expect(err.code).toBe('validation.option');
    expect(err.message).toMatch(/^--repositories "team\/app,,team\/worker" has an empty entry between two names/);
  });

  test('a comma at either end is tolerated', () => {
    expect(checkSecretOptions({ repositories: ',team/app,' }, MAX).repositories).toEqual(['team/app']);
  });
});

describe('the plan of a --kind sp secret', () => {
  const cluster: ClusterInfo = {
    id: '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-dev',
    name: 'aks-dev',
    subscriptionId: 's1',
    resourceGroup: 'rg',
    identity: {},
    aadEnabled: true,
    localAccountsDisabled: true,
  };
  const registry: RegistryInfo = {
    id: '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contosoacr',
    name: 'contosoacr',
    subscriptionId: 's1',
    resourceGroup: 'rg',
    loginServer: 'contosoacr.azurecr.io',
    roleAssignmentMode: 'LegacyRegistryPermissions',
  };
  const resolver = {
    resolveCluster: async () => cluster,
    resolveRegistry: async () => registry,
  } as unknown as ResourceResolver;
  const roles = { canAssignRoles: async () => true } as unknown as RoleAssignmentPort;
  const clock = { now: () => new Date('2030-01-01T00:00:00Z') };

  test('names the application as it will be created: per request, like the token line', async () => {
    const planner = new SecretPlanner(resolver, roles, clock, MAX);
    const plan = await planner.plan({
      cluster: 'aks-dev',
      registry: 'contosoacr',
      typed: { kind: 'sp', namespace: 'payments' },
    });
    const line = plan.operations.find((o) => o.startsWith('Create Entra application'));
    const made = applicationDisplayNameFor(plan.credentialName, 'R-REQUESTID').replace(/r-requestid$/, 'REQUEST-ID');
    expect(line).toBe(`Create Entra application and service principal ${made}`);
  });
});

describe('--expires over the maximum', () => {
  test('names the maximum in words, also when it is no whole number of days', () => {
    expect(() => parseExpiry('2d', 12 * 3_600_000)).toThrow('is longer than the maximum of 12 hours;');
    expect(() => parseExpiry('100d', 90 * 86_400_000)).toThrow('is longer than the maximum of 90 days;');
  });
});
