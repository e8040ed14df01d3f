/**
 * The matrix keeps its filters across a reload of its data (after a Revoke or an Extend). A kept
 * choice no longer offered (its last entry gone, e.g. the only "Expiring soon" one revoked) falls
 * back to "All" and shows it: a select set to a value it does not offer selects nothing, shown
 * blank and named by nothing to a screen reader, while the grid already shows everything.
 *
 * Drawn in jsdom (support/jsdom-page.ts): the page is loaded with require(), the root tsconfig
 * having no DOM lib (web/tsconfig.json checks the web code).
 */
import type { MatrixData, Me, Row } from '../../web/src/types';
import { useJsdomPage } from './support/jsdom-page';

const { window } = useJsdomPage();
const { renderMatrix } = require('../../web/src/matrix') as {
  renderMatrix(root: unknown, data: MatrixData, ctx: unknown): void;
};

const CLUSTER = { id: '/subscriptions/s1/resourceGroups/rg/providers/x/managedClusters/aks-prod', name: 'aks-prod' };
const REGISTRY = { id: '/subscriptions/s1/resourceGroups/rg/providers/y/registries/contosoacr', name: 'contosoacr' };

const row = (key: string, state: Row['state']): Row => ({
  key,
  kind: 'grant',
  how: 'acrbot-role',
  howText: 'AcrPull role on the registry by acrbot',
  state,
  cluster: { ...CLUSTER, subscriptionId: 's1' },
  registry: REGISTRY,
  requestId: key,
  approvers: [],
});

const matrix = (rows: Row[]): MatrixData => ({
  clusters: [{ ...CLUSTER, subscriptionId: 's1' }],
  registries: [REGISTRY],
  unresolvedClusters: [],
  generatedAt: 'g',
  rows,
});

const me = { user: { objectId: 'o', name: 'Alex', tenantId: 't' }, roles: { approver: true } } as unknown as Me;

test('a kept State no longer offered after a reload falls back to "All", shown as selected', () => {
  const root = window.document.getElementById('app');
  const ctx = { host: {}, me, changed: () => undefined };
  renderMatrix(root, matrix([row('R-1', 'expiring'), row('R-2', 'revoked')]), ctx);
  /** The State select (a jsdom element: no DOM types under the root tsconfig). */
  const state = (): { value: string; selectedIndex: number; options: any; dispatchEvent(e: unknown): boolean } =>
    window.document.getElementById('f-state');
  state().value = 'expiring';
  state().dispatchEvent(new window.Event('change'));
  expect(window.document.querySelector('.count').textContent).toBe('1 of 2 entries shown');

  // R-1 revoked from its drawer: the reload has no "Expiring soon" entry left to offer.
  renderMatrix(root, matrix([row('R-1', 'revoked'), row('R-2', 'revoked')]), ctx);
  expect(state().selectedIndex).toBe(0);
  expect(state().options[state().selectedIndex].textContent).toBe('All');
  expect(window.document.querySelector('.count').textContent).toBe('2 of 2 entries shown');

  // A kept choice still offered stays chosen.
  state().value = 'revoked';
  state().dispatchEvent(new window.Event('change'));
  renderMatrix(root, matrix([row('R-1', 'revoked'), row('R-2', 'active')]), ctx);
  expect(state().options[state().selectedIndex].textContent).toBe('Revoked');
  expect(window.document.querySelector('.count').textContent).toBe('1 of 2 entries shown');
});
