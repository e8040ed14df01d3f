/**
 * Service accounts on a sandbox cluster's emulator, for tests of what `KubePullSecrets` does to
 * their `imagePullSecrets` lists: seeded as their makers would have them, and read back directly.
 */
import type { KubeObject, KubernetesEmulator } from '../../src/sandbox/kubernetes';

/**
 * `seed` puts a service account named `name` in `namespace` listing `entries` (replacing any of
 * that name, with a new uid); `entriesOf` answers the names its list holds now ([] when it is gone).
 * `emulator` is called on each use, as the sandbox is started only in `beforeAll`.
 */
export function serviceAccounts(emulator: () => KubernetesEmulator, namespace: string) {
  const seed = (name: string, entries: string[]): KubeObject =>
    emulator().seedObject('serviceaccounts', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name, namespace },
      imagePullSecrets: entries.map((e) => ({ name: e })),
    } as KubeObject);
  const entriesOf = (name: string): string[] =>
    ((emulator().getObject('serviceaccounts', namespace, name)?.imagePullSecrets ?? []) as { name: string }[]).map(
      (e) => e.name,
    );
  return { seed, entriesOf };
}
