/**
 * The request card's line for a pull secret written to namespace `default` (views/default-namespace-note.ts):
 * on a pending secret request only, never on another namespace, a grant, a decided request or an
 * extension (whose secret already exists there).
 */
import { requestCard } from '../../src/views/request-view';
import { defaultNamespaceNote } from '../../src/views/default-namespace-note';
import type { AccessRequest } from '../../src/domain/request';
import { pendingRequest, secretPlan } from './support/requests';
import { cardTexts } from '../helpers/capturing-connector';

const inDefault = (overrides: Partial<AccessRequest> = {}) =>
  pendingRequest({ plan: secretPlan({ namespace: 'default' }), ...overrides });

test('a pending secret for namespace default: the line, on every copy of its card', () => {
  const note = defaultNamespaceNote(inDefault());
  expect(note).toBe(
    'default: pods in other namespaces cannot use this secret; for another namespace, its requester can cancel this request and ask again with --namespace NAME.',
  );
  // True when --namespace default was typed too: it does not say none was given.
  expect(note).not.toMatch(/no --namespace|when .*not given/);
  for (const showActions of [false, true])
    expect(cardTexts(requestCard(inDefault(), { showActions })).join('\n')).toContain(note);
});

test.each<[string, AccessRequest]>([
  ['another namespace', pendingRequest({ plan: secretPlan({ namespace: 'payments' }) })],
  ['a grant', pendingRequest()],
  ['a decided request', inDefault({ state: 'succeeded' })],
  ['an extension', inDefault({ extendsRequestId: 'R-22222222' })],
])('%s: no line', (_name, request) => {
  expect(defaultNamespaceNote(request)).toBeUndefined();
  expect(cardTexts(requestCard(request, { showActions: false })).join('\n')).not.toContain(
    'pods in other namespaces cannot use this secret',
  );
});
