/**
 * "Waiting for your approval" at volume: a note under its heading when the server read only the
 * oldest of what waits (`waitingBoundReached`, as the matrix says `incomplete`), and, once there
 * are many rows, a search by the matrix's words (cluster, registry, requester, reason, id) that
 * hides the others and keeps the server's order (the soonest to run out first).
 *
 * Drawn in jsdom (support/jsdom-page.ts): the page is loaded with require(), the root tsconfig
 * having no DOM lib (web/tsconfig.json checks the web code).
 */
import type { MyAccess, Row } from '../../web/src/types';
import { useJsdomPage } from './support/jsdom-page';
import { approverMe as me, browserHost as host } from './support/web-context';
import { ACTIVE_GRANT_ROW } from './support/web-rows';

const { window } = useJsdomPage();
const myAccess = require('../../web/src/my-access') as {
  renderMyAccess(root: unknown, data: MyAccess, ctx: unknown): void;
  WAITING_BOUND_NOTE: string;
  APPROVALS_SEARCH_FROM: number;
};

/** Riley's pending request `n` on cluster `cluster`. */
const waiting = (n: number, cluster: string): Row => ({
  ...ACTIVE_GRANT_ROW,
  key: `R-WAIT000${n}`,
  requestId: `R-WAIT000${n}`,
  state: 'pending',
  requestState: 'pending',
  expiresAt: undefined,
  approvers: [],
  mayDecide: true,
  cluster: { ...ACTIVE_GRANT_ROW.cluster, id: `/c/${cluster}`, name: cluster },
});

function draw(approvals: Row[], extra: Partial<MyAccess> = {}) {
  const root = window.document.createElement('div');
  myAccess.renderMyAccess(root, { approvals, grants: [], requests: [], ...extra } as MyAccess, {
    host,
    me,
    changed: () => undefined,
  });
  return root;
}

describe('a read of what waits that reached its bound', () => {
  test('says so under the heading, also when the list is empty', () => {
    const root = draw([], { waitingBoundReached: true });
    expect(root.querySelector('#approvals .note')?.textContent).toBe(myAccess.WAITING_BOUND_NOTE);
    expect(myAccess.WAITING_BOUND_NOTE).toContain('only the oldest were read');
  });
  test('otherwise no note', () => {
    expect(draw([waiting(1, 'aks-a')]).querySelector('#approvals .note')).toBeNull();
  });
});

describe('the search above "Waiting for your approval"', () => {
  const many = (n: number) =>
    Array.from({ length: n }, (_, i) => waiting(i + 1, i === 2 ? 'aks-payments-prod' : `aks-${i + 1}`));

  test('is not offered for a few rows', () => {
    expect(draw(many(myAccess.APPROVALS_SEARCH_FROM - 1)).querySelector('#approvals-q')).toBeNull();
  });

  test('hides the rows that do not match and says how many are shown, in the order given', () => {
    const root = draw(many(8));
    const input = root.querySelector('#approvals-q');
    expect(root.querySelector('label[for="approvals-q"]')?.textContent).toBe('Search');
    const shown = () =>
      [...root.querySelectorAll('#approvals li.row')]
        .filter((li: any) => !li.hidden)
        .map((li: any) => li.dataset.request);
    expect(shown()).toHaveLength(8);
    input.value = 'PAYMENTS';
    input.dispatchEvent(new window.Event('input'));
    expect(shown()).toEqual(['R-WAIT0003']);
    expect(root.querySelector('#approvals .count')?.textContent).toBe('1 of 8 shown');
    input.value = 'r-wait000';
    input.dispatchEvent(new window.Event('input'));
    expect(shown()).toEqual(many(8).map((r) => r.requestId));
    // Kept when the page draws My access again (after an action).
    const again = draw(many(8));
    expect(again.querySelector('#approvals-q').value).toBe('r-wait000');
    again.querySelector('#approvals-q').value = '';
    again.querySelector('#approvals-q').dispatchEvent(new window.Event('input'));
  });
});
