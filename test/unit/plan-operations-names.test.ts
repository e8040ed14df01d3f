/**
 * The planner words a secret's operations before the request has an id, with a `REQUEST-ID`
 * placeholder where the credential's name goes (secret-credential-lines.ts). Every card that
 * lists them is drawn from the stored request: it names the token or application as the run
 * will (the Credential row's name), never the placeholder. And the outcome says what each
 * created id is, and which expiry is the credential's.
 */
import { newCredentialLines } from '../../src/domain/secret-credential-lines';
import { applicationDisplayNameFor, applicationNameFor } from '../../src/domain/secret-credential';
import { outcomeCard, requestCard } from '../../src/views/request-view';
import { cardText } from '../helpers/capturing-connector';
import { pendingRequest, secretPlan } from './support/requests';

const text = (card: unknown) => cardText({ attachments: [{ content: card }] });

function tokenPlan(repositories: string[] = []) {
  const base = secretPlan({ repositories });
  return { ...base, operations: newCredentialLines(base, base.expiresAt) };
}

function spPlan() {
  const base = secretPlan({
    credentialKind: 'sp',
    credentialName: applicationNameFor('contosoacr', 'aks-dev', 'payments'),
    role: { name: 'AcrPull', id: '7f951dda-4ed3-4680-a7ca-43fe172d538d' },
  });
  return { ...base, operations: newCredentialLines(base, base.expiresAt) };
}

describe('plan operations name the real credential', () => {
  test.each([
    ['the approvers’ card', (r: ReturnType<typeof pendingRequest>) => requestCard(r, { showActions: true })],
    ['the requester’s plan card', (r: ReturnType<typeof pendingRequest>) => requestCard(r, { showActions: false })],
  ])('%s: ACR token acrbot-<request id>, no placeholder', (_name, render) => {
    const shown = text(render(pendingRequest({ id: 'R-EZTQTEAT', plan: tokenPlan() })));
    expect(shown).toContain('Create ACR token acrbot-r-eztqteat on the built-in _repositories_pull scope map');
    expect(shown).not.toContain('REQUEST-ID');
  });

  test('a token limited to repositories: the token line names it too', () => {
    const shown = text(
      requestCard(pendingRequest({ id: 'R-EZTQTEAT', plan: tokenPlan(['web']) }), { showActions: false }),
    );
    expect(shown).toContain('Create ACR token acrbot-r-eztqteat on that scope map');
    expect(shown).not.toContain('REQUEST-ID');
  });

  test('an sp: the application and service principal by their per-request name', () => {
    const plan = spPlan();
    const shown = text(requestCard(pendingRequest({ id: 'R-CYPGM67F', plan }), { showActions: true }));
    const name = applicationDisplayNameFor(plan.credentialName, 'R-CYPGM67F');
    expect(shown).toContain(`Create Entra application and service principal ${name}`);
    expect(shown).toContain(`service principal ${name}`);
    expect(shown).not.toContain('REQUEST-ID');
  });
});

describe('the secret outcome card', () => {
  const done = (plan: ReturnType<typeof tokenPlan>, createdIds: string[]) =>
    pendingRequest({
      id: 'R-EZTQTEAT',
      plan,
      state: 'succeeded',
      outcome: { summary: 'written', azureRequestIds: [], createdIds },
      access: { durationMs: 30 * 86_400_000, expiresAt: '2025-02-14T09:00:00.000Z' },
    });

  test('labels the credential’s expiry apart from the access’s end', () => {
    const card = outcomeCard(done(tokenPlan(), []));
    const shown = text(card);
    expect(shown).toContain('Credential expires');
    expect(JSON.stringify(card)).not.toContain('"title":"Expires"');
  });

  test('"Created" says what each id is', () => {
    const registry = tokenPlan().registry.id;
    const token = text(outcomeCard(done(tokenPlan(), [`${registry}/tokens/acrbot-r-eztqteat`])));
    expect(token).toContain('ACR token acrbot-r-eztqteat');
    expect(token).not.toContain('tokens acrbot');
    const appId = '3f0c9a8e-1111-4222-8333-444455556666';
    const sp = text(outcomeCard(done(spPlan(), [appId])));
    expect(sp).toContain(`service principal (app id ${appId})`);
  });
});
