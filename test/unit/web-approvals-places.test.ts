/**
 * An approver sees where the cluster and registry of what waits for them are, always: the rows of
 * "Waiting for your approval" and the drawer's facts name each with its resource group and short
 * subscription, in the request card's words (placeWhere in web/src/format.ts), not only when two
 * of the viewer's rows share a name. The viewer's other lists keep their short titles.
 *
 * Drawn in jsdom (support/jsdom-page.ts): the page is loaded with require(), the root tsconfig
 * having no DOM lib (web/tsconfig.json checks the web code).
 */
import type { History, MyAccess, Row } from '../../web/src/types';
import { placeWhere } from '../../web/src/format';
import { useJsdomPage } from './support/jsdom-page';
import { approverMe as me, browserHost as host, until } from './support/web-context';
import { ACTIVE_GRANT_ROW } from './support/web-rows';

const { window } = useJsdomPage();
const { openHistory } = require('../../web/src/history') as {
  openHistory(ctx: unknown, title: string, rows: Row[]): void;
};
const { renderMyAccess } = require('../../web/src/my-access') as {
  renderMyAccess(root: unknown, data: MyAccess, ctx: unknown): void;
};

const PROD_SUB = '2b7e0000-0000-4000-8000-00000000000a';
const ACR_SUB = '9c410000-0000-4000-8000-00000000000b';
/** Someone else's pending grant for an aks-prod in a subscription of theirs. */
const pending: Row = {
  ...ACTIVE_GRANT_ROW,
  key: 'R-PPPPPPP1',
  requestId: 'R-PPPPPPP1',
  state: 'pending',
  requestState: 'pending',
  expiresAt: undefined,
  approvers: [],
  termAsked: '30 days',
  cluster: {
    id: `/subscriptions/${PROD_SUB}/resourceGroups/rg-prod/providers/Microsoft.ContainerService/managedClusters/aks-prod`,
    name: 'aks-prod',
    subscriptionId: PROD_SUB,
  },
  registry: {
    id: `/subscriptions/${ACR_SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr`,
    name: 'contosoacr',
  },
};

test('placeWhere: resource group and the start of the subscription, a registry’s read from its id', () => {
  expect(placeWhere(pending.cluster)).toBe('resource group rg-prod, subscription 2b7e0000…');
  expect(placeWhere(pending.registry)).toBe('resource group rg-acr, subscription 9c410000…');
  expect(placeWhere({ id: 'not-an-arm-id' })).toBe('');
});

test('an approvals row names both places in full, the viewer’s own rows keep their short titles', () => {
  const root = window.document.createElement('div');
  const data = {
    approvals: [pending],
    grants: [{ ...ACTIVE_GRANT_ROW, registry: pending.registry }],
    requests: [],
  } as unknown as MyAccess;
  renderMyAccess(root, data, { host, me, changed: () => undefined });
  const title = (list: string) => root.querySelector(`#${list} .row-title`)?.textContent;
  expect(title('approvals')).toBe(
    'aks-prod (resource group rg-prod, subscription 2b7e0000…) → contosoacr (resource group rg-acr, subscription 9c410000…)',
  );
  expect(title('grants')).toBe('aks-a → contosoacr');
});

test('the drawer’s facts name the cluster’s and registry’s resource group and subscription', async () => {
  const history: History = { row: pending, approvals: [], azureRequestIds: [], audit: [] };
  globalThis.fetch = (async () => new Response(JSON.stringify(history), { status: 200 })) as typeof fetch;
  openHistory({ host, me, changed: () => undefined }, 'aks-prod → contosoacr', [pending]);
  const entry = window.document.querySelector('dialog.drawer section.entry');
  await until(() => entry.querySelector('.audit-box') !== null);
  const facts: Record<string, string> = {};
  for (const dt of entry.querySelectorAll('.entry > .facts dt'))
    facts[dt.textContent] = dt.nextElementSibling.textContent;
  expect(facts['Cluster']).toBe('aks-prod (resource group rg-prod, subscription 2b7e0000…)');
  expect(facts['Registry']).toBe('contosoacr (resource group rg-acr, subscription 9c410000…)');
});
