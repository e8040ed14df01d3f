/** The Kubernetes manifest snippet shown on outcome cards. */

/** Inputs for the snippet; `loginServer` always comes from Azure. */
export interface SnippetInput {
  loginServer: string;
  appName?: string;
  namespace?: string;
  /** Secret flow: the image pull secret to reference. */
  imagePullSecret?: string;
}

/** A minimal Deployment that pulls from the registry (with imagePullSecrets for the secret flow). */
export function deploymentSnippet(input: SnippetInput): string {
  const app = input.appName ?? 'my-app';
  const lines = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${app}`,
    ...(input.namespace ? [`  namespace: ${input.namespace}`] : []),
    'spec:',
    '  replicas: 1',
    '  selector:',
    `    matchLabels: { app: ${app} }`,
    '  template:',
    '    metadata:',
    `      labels: { app: ${app} }`,
    '    spec:',
    ...(input.imagePullSecret ? ['      imagePullSecrets:', `        - name: ${input.imagePullSecret}`] : []),
    '      containers:',
    `        - name: ${app}`,
    `          image: ${input.loginServer}/${app}:1.0.0`,
  ];
  return lines.join('\n');
}
