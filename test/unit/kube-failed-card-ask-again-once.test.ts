/**
 * A secret run that failed because its cluster did not answer (a timeout, no answer at all) ends
 * its failed card with one "ask again", the card's own, with the command to type: the cluster's
 * sentence says what to check, not to ask again as well (request-view.ts, failedSummary).
 */
import { explainKubeError } from '../../src/integrations/kubernetes/kube-errors';
import { outcomeCard } from '../../src/views/request-view';
import { pendingRequest, secretPlan } from './support/requests';

const ctx = { cluster: 'aks-prod', namespace: 'payments', verb: 'create', resource: 'secrets' };
const timeout = Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
const down = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

test.each([
  ['did not answer in time', timeout, 'check that its API server is up and reachable.'],
  ['could not be reached', down, 'check that its API server is up and reachable from acrbot.'],
])('a run whose cluster %s: what to check, and "ask again" once, from the card', (_, err, ending) => {
  const failure = explainKubeError(err, ctx);
  expect(failure.message.endsWith(ending)).toBe(true);
  const request = pendingRequest({
    plan: secretPlan(),
    state: 'failed',
    outcome: { summary: 'Failed', azureRequestIds: [], error: failure.message, errorCode: failure.code },
  });
  const text = JSON.stringify(outcomeCard(request));
  expect(text.match(/ask again/gi)).toHaveLength(1);
  expect(text).toContain(`${ending} Once fixed, ask again: \\"@acrbot secret`);
});
