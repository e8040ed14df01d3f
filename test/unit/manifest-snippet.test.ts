import { deploymentSnippet } from '../../src/domain/manifest-snippet';

describe('deploymentSnippet', () => {
  test('grant flow: image on the given login server, no imagePullSecrets', () => {
    const yaml = deploymentSnippet({
      loginServer: 'sharedacr-b7c1.azurecr.io',
      appName: 'payments-api',
      namespace: 'payments',
    });
    expect(yaml.split('\n')).toEqual([
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: payments-api',
      '  namespace: payments',
      'spec:',
      '  replicas: 1',
      '  selector:',
      '    matchLabels: { app: payments-api }',
      '  template:',
      '    metadata:',
      '      labels: { app: payments-api }',
      '    spec:',
      '      containers:',
      '        - name: payments-api',
      '          image: sharedacr-b7c1.azurecr.io/payments-api:1.0.0',
    ]);
    expect(yaml).not.toContain('imagePullSecrets');
  });

  test('secret flow: imagePullSecrets names the secret, placed before containers', () => {
    const lines = deploymentSnippet({
      loginServer: 'contosoacr.azurecr.io',
      namespace: 'payments',
      imagePullSecret: 'acr-auth',
    }).split('\n');
    const at = lines.indexOf('      imagePullSecrets:');
    expect(at).toBeGreaterThan(lines.indexOf('    spec:'));
    expect(lines[at + 1]).toBe('        - name: acr-auth');
    expect(lines[at + 2]).toBe('      containers:');
    expect(lines).toContain('          image: contosoacr.azurecr.io/my-app:1.0.0');
  });

  test.each([
    [
      'the login server is used as given, never built from a name',
      { loginServer: 'contosoacr-abc123.azurecr.cn' },
      '          image: contosoacr-abc123.azurecr.cn/my-app:1.0.0',
    ],
    ['defaults: my-app, no namespace line', { loginServer: 'x.azurecr.io' }, '  name: my-app'],
  ])('%s', (_name, input, line) => {
    const lines = deploymentSnippet(input).split('\n');
    expect(lines).toContain(line);
    expect(lines.some((l) => l.startsWith('  namespace:'))).toBe(false);
    expect(lines).not.toContain('      imagePullSecrets:');
  });
});
