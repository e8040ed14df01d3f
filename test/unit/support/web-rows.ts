/** Tab rows for the web front end's unit tests: what `/api/tab/*` answers for one live grant. */
import type { Row } from '../../../web/src/types';

/** Riley's active AcrPull grant R-AAAAAAA1, aks-a → contosoacr, approved by Alex. */
export const ACTIVE_GRANT_ROW: Row = {
  key: 'R-AAAAAAA1',
  requestId: 'R-AAAAAAA1',
  kind: 'grant',
  how: 'acrbot-role',
  howText: 'AcrPull role on the registry by acrbot',
  requestState: 'succeeded',
  state: 'active',
  cluster: { id: '/subscriptions/s1/x/managedClusters/aks-a', name: 'aks-a', subscriptionId: 's1' },
  registry: { id: '/subscriptions/s1/y/registries/contosoacr', name: 'contosoacr' },
  requester: { objectId: 'riley', name: 'Riley' },
  reason: 'deploy the release',
  expiresAt: '2026-12-31T00:00:00Z',
  approvers: [{ objectId: 'alex', name: 'Alex' }],
};
