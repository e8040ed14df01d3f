/**
 * The Kubernetes manifest snippet shown on outcome cards: a Deployment that pulls from the
 * registry the way the flow set it up (the kubelet identity; a pull secret named by the pod or
 * by its service account). It must parse as the YAML `kubectl apply` reads (YAML 1.1, where
 * `on`, `yes` and `123` are not strings), so names that would read as something else are quoted.
 */

/** Inputs for the snippet; `loginServer` always comes from Azure. */
export interface SnippetInput {
  loginServer: string;
  appName?: string;
  namespace?: string;
  /** Secret flow: the image pull secret the pod names itself. */
  imagePullSecret?: string;
  /** Secret flow with `--service-account`: the service account the pod runs as. */
  serviceAccount?: string;
  /** The image's repository (`--repositories` tokens pull only those); the app name by default. */
  repository?: string;
}

/** Words YAML 1.1 (kubectl's sigs.k8s.io/yaml) or 1.2 reads as booleans or null, not strings. */
const NOT_STRINGS = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null']);

/**
 * A name as a YAML scalar: plain when it can only read as a string (it starts with a letter
 * and is no keyword), double-quoted otherwise. Kubernetes names may be `123`, `1e3` or `on`.
 */
function scalar(value: string): string {
  return /^[a-z][a-z0-9./:_-]*$/.test(value) && !NOT_STRINGS.has(value) ? value : JSON.stringify(value);
}

/** A minimal Deployment that pulls from the registry (with imagePullSecrets for the secret flow). */
export function deploymentSnippet(input: SnippetInput): string {
  const app = input.appName ?? 'my-app';
  const lines = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${scalar(app)}`,
    ...(input.namespace ? [`  namespace: ${scalar(input.namespace)}`] : []),
    'spec:',
    '  replicas: 1',
    '  selector:',
    `    matchLabels: { app: ${scalar(app)} }`,
    '  template:',
    '    metadata:',
    `      labels: { app: ${scalar(app)} }`,
    '    spec:',
    ...(input.serviceAccount ? [`      serviceAccountName: ${scalar(input.serviceAccount)}`] : []),
    ...(input.imagePullSecret ? ['      imagePullSecrets:', `        - name: ${scalar(input.imagePullSecret)}`] : []),
    '      containers:',
    `        - name: ${scalar(app)}`,
    `          image: ${scalar(`${input.loginServer}/${input.repository ?? app}:1.0.0`)}`,
  ];
  return lines.join('\n');
}
