/**
 * Kubeconfigs as AKS hands them out from `listClusterUserCredential` /
 * `listClusterAdminCredential` (CONTRACTS §1.2): a static token for local accounts, the kubelogin
 * exec stanza for Entra ID (AAD) clusters, and a server that answers only when AKS's would.
 */
import { localAccountsDisabled } from './arm-errors';
import type { ClusterRecord } from './clusters';
import { AKS_AAD_SERVER_APP_ID } from '../identity/access-tokens';
/** The public kubelogin client app. */
export const KUBELOGIN_CLIENT_APP_ID = '80faf920-1908-4b52-b5ef-a8e7bedfc67a';

/** Which credential to build. */
export interface KubeconfigRequest {
  kind: 'user' | 'admin';
  /** `format` query parameter: `exec` (default) or the deprecated `azure` auth-provider. */
  format?: string;
}

/**
 * Builds the kubeconfig YAML, or throws the 400 AKS returns when static credentials are asked of
 * a cluster with local accounts disabled.
 */
export function buildKubeconfig(c: ClusterRecord, req: KubeconfigRequest): string {
  const staticCredential = req.kind === 'admin' || !c.aad;
  if (staticCredential && c.disableLocalAccounts) throw localAccountsDisabled();

  const userName = `${req.kind === 'admin' ? 'clusterAdmin' : 'clusterUser'}_${c.resourceGroup}_${c.name}`;
  const server = apiServerOf(c);
  const lines = ['apiVersion: v1', 'clusters:', '- cluster:'];
  if (c.apiServerCaPem)
    lines.push(`    certificate-authority-data: ${Buffer.from(c.apiServerCaPem).toString('base64')}`);
  lines.push(
    `    server: ${q(server)}`,
    `  name: ${q(c.name)}`,
    'contexts:',
    '- context:',
    `    cluster: ${q(c.name)}`,
    `    user: ${q(userName)}`,
    `  name: ${q(c.name)}`,
    `current-context: ${q(c.name)}`,
    'kind: Config',
    'preferences: {}',
    'users:',
    `- name: ${q(userName)}`,
    '  user:',
  );
  if (staticCredential) {
    lines.push(`    token: ${q(c.token)}`);
  } else if (req.format?.toLowerCase() === 'azure') {
    lines.push(
      '    auth-provider:',
      '      name: azure',
      '      config:',
      `        apiserver-id: ${AKS_AAD_SERVER_APP_ID}`,
      `        client-id: ${KUBELOGIN_CLIENT_APP_ID}`,
      '        config-mode: "1"',
      '        environment: AzurePublicCloud',
      `        tenant-id: ${c.tenantId}`,
    );
  } else {
    const args = [
      'get-token',
      '--environment',
      'AzurePublicCloud',
      '--server-id',
      AKS_AAD_SERVER_APP_ID,
      '--client-id',
      KUBELOGIN_CLIENT_APP_ID,
      '--tenant-id',
      c.tenantId,
      '--login',
      'devicecode',
    ];
    lines.push(
      '    exec:',
      '      apiVersion: client.authentication.k8s.io/v1beta1',
      '      args:',
      ...args.map((a) => `      - ${a}`),
      '      command: kubelogin',
      '      env: null',
      '      provideClusterInfo: false',
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * `server:` of the cluster's kubeconfigs. AKS names its own FQDN (the private one for a private
 * cluster); the sandbox points it at the Kubernetes emulator (`apiServerUrl`) instead, except
 * where nothing would answer acrbot: a stopped cluster, or a private one acrbot does not run next
 * to (the private name resolves nowhere here, as outside the cluster's network).
 */
export function apiServerOf(c: ClusterRecord): string {
  const own = `https://${c.fqdn}:443`;
  if (c.powerState === 'Stopped') return own;
  if (c.privateCluster && !c.privateApiServerReachable) return own;
  return c.apiServerUrl ?? own;
}

/** JSON strings are valid YAML scalars, which spares a YAML dependency and any quoting rules. */
function q(value: string): string {
  return JSON.stringify(value);
}
