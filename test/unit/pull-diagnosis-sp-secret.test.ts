/**
 * `check` on a `--kind sp` pull secret: the service principal in it pulls only while it holds a
 * pull role on the registry, which `check` does not read (it lists the cluster identity's
 * assignments only), so the verdict says pods can pull through it on that condition, never
 * without it.
 */
import type { PullSecretPath } from '../../src/domain/access-inventory';
import { cell, diagnose, registry } from './support/pull-diagnosis-fixtures';

/** A live pull secret `name` in namespace payments, of credential kind `kind`. */
const secret = (name: string, kind: PullSecretPath['credentialKind']): PullSecretPath => ({
  kind: 'pullSecret',
  namespace: 'payments',
  secretName: name,
  credentialKind: kind,
  request: {
    requestId: 'R-AAAAAAAA',
    requesterName: 'Riley',
    requesterId: 'r',
    approvedBy: 'Alex',
    expiresAt: '2027-01-20T00:00:00Z',
    state: 'active',
  },
  state: 'active',
});

/** The registry above, with ABAC repository permissions. */
type AbacRegistry = Omit<typeof registry, 'roleAssignmentMode'> & { roleAssignmentMode: 'AbacRepositoryPermissions' };

/** No role for the node identity: the verdict is "cannot pull", then what the secrets allow. */
const noRole = (paths: PullSecretPath[], reg: typeof registry | AbacRegistry = registry) =>
  diagnose({ registry: reg, cell: { ...cell(paths, reg), canPull: false } });

test("an sp secret: pods can pull through it while its service principal's AcrPull role holds", () => {
  const d = noRole([secret('acr-auth', 'sp')]);
  expect(d.verdict).toBe(
    "aks-prod cannot pull from contosoacr: its identity has no role that carries pull on the registry (pull secrets and tokens made outside acrbot are not checked). Pods that reference pull secret acr-auth in namespace payments can pull through it while its service principal's AcrPull role on contosoacr holds.",
  );
});

test('on a registry with ABAC repository permissions, the role it names is the one that mode honours', () => {
  const d = noRole([secret('acr-auth', 'sp')], { ...registry, roleAssignmentMode: 'AbacRepositoryPermissions' });
  expect(d.verdict).toContain(
    "can pull through it while its service principal's Container Registry Repository Reader role on contosoacr holds.",
  );
});

test('a token secret beside an sp one: the condition is said of the one that holds a service principal', () => {
  const d = noRole([secret('acr-token', 'token'), secret('acr-auth', 'sp')]);
  expect(d.verdict).toContain(
    "can pull through it (through one that holds a service principal, while that service principal's AcrPull role on contosoacr holds).",
  );
});

test('a token secret alone: no condition (its token is the registry’s own)', () => {
  expect(noRole([secret('acr-token', 'token')]).verdict).toMatch(/in namespace payments can pull through it\.$/);
});
