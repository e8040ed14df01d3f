/**
 * After a secret run refused the name because a secret acrbot may not overwrite holds it
 * (`kubernetes.foreignSecret`), the command a card suggests asks for another name: the same one
 * would be refused again. Every other failure asks for the same name, and an extension is asked
 * for again with `extend` whatever it failed on.
 */
import { askAgainCommand } from '../../src/views/ask-again-command';
import { pendingRequest, secretPlan } from './support/requests';

const TYPED = { cluster: 'name', registry: 'name' } as const;
const failedWith = (errorCode: string, extendsRequestId?: string) =>
  pendingRequest({
    state: 'failed',
    plan: secretPlan({ typed: TYPED, namespace: 'payments', secretName: 'acr-auth' }),
    access: { durationMs: 30 * 86_400_000 },
    outcome: { summary: 'Failed', azureRequestIds: [], error: 'refused', errorCode },
    ...(extendsRequestId && { extendsRequestId }),
  });

test('a name taken by a secret acrbot may not overwrite: asked for again as NEW-NAME', () => {
  expect(askAgainCommand(failedWith('kubernetes.foreignSecret'))).toBe(
    '@acrbot secret aks-prod contosoacr --namespace payments --name NEW-NAME --for 30d REASON…',
  );
});

test('any other failure: the same name', () => {
  expect(askAgainCommand(failedWith('kubernetes.secretChanged'))).toContain('--name acr-auth ');
});

test('an extension: extend its original, whatever it failed on', () => {
  expect(askAgainCommand(failedWith('kubernetes.foreignSecret', 'R-ORIGINAL'), { extension: true })).toBe(
    '@acrbot extend R-ORIGINAL --for 30d REASON…',
  );
});
