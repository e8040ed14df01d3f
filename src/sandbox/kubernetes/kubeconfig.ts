/**
 * Kubeconfig YAML for a client of the emulator. It always pins the emulator's CA with
 * `certificate-authority-data`: `insecure-skip-tls-verify` is never written, because the bot's
 * production code must never need it (TOOLCHAIN.md). Scalars are written as JSON strings,
 * which are valid YAML double-quoted scalars, so tokens with odd characters stay intact.
 */

/** What goes into a kubeconfig. */
export interface KubeconfigParams {
  server: string;
  caPem: string;
  clusterName: string;
  userName: string;
  token: string;
  namespace?: string;
}

/** Renders a single-cluster, single-user kubeconfig with the context set as current. */
export function renderKubeconfig(p: KubeconfigParams): string {
  const q = (s: string): string => JSON.stringify(s);
  const caData = Buffer.from(p.caPem, 'utf8').toString('base64');
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${caData}`,
    `    server: ${q(p.server)}`,
    `  name: ${q(p.clusterName)}`,
    'contexts:',
    '- context:',
    `    cluster: ${q(p.clusterName)}`,
    `    user: ${q(p.userName)}`,
    ...(p.namespace ? [`    namespace: ${q(p.namespace)}`] : []),
    `  name: ${q(p.clusterName)}`,
    `current-context: ${q(p.clusterName)}`,
    'preferences: {}',
    'users:',
    `- name: ${q(p.userName)}`,
    '  user:',
    `    token: ${q(p.token)}`,
    '',
  ];
  return lines.join('\n');
}
