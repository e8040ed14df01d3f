/**
 * Discovery documents kubectl (and client-go) read before touching resources: `/version`,
 * `/api`, `/api/v1` and `/apis`. Only the legacy (unaggregated) forms are served; kubectl
 * asks for aggregated discovery first but accepts these when the server answers plain
 * `application/json`, exactly as it does with pre-1.26 clusters.
 */
import { RESOURCES } from './resources';

/** The Kubernetes version the emulator claims to be (an AKS-supported minor). */
export const EMULATED_VERSION = { major: '1', minor: '31', gitVersion: 'v1.31.2' } as const;

/** GET /version. */
export function versionInfo(): object {
  return {
    major: EMULATED_VERSION.major,
    minor: EMULATED_VERSION.minor,
    gitVersion: EMULATED_VERSION.gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2024-10-22T20:28:14Z',
    goVersion: 'go1.22.8',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** GET /api: the legacy core group versions. `serverAddress` is the host:port clients used. */
export function apiVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** GET /apis: no named groups are served. */
export function apiGroupList(): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [] };
}

/** GET /api/v1: the APIResourceList for the served resources. */
export function coreV1ResourceList(): object {
  return {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: Object.values(RESOURCES).map((r) => ({
      name: r.name,
      singularName: r.singularName,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: [...r.verbs].sort(),
      ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
    })),
  };
}
