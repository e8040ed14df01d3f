/**
 * The tab drops bidi controls (U+202A–202E, U+2066–2069, LRM, RLM, ALM) from everything it
 * sends, as chat cards do (inertText): a requester's name, a reason, an audit detail and a role
 * name stored with a U+202E read plainly in My access, the matrix, the history — and so in the
 * CSV the page exports from those rows.
 */
import type { AccessRequest } from '../../src/domain/request';
import { tabCall as call, tabToken } from '../helpers/tab-call';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';

/** Every control of the set, in text that must come back as `plain`. */
const CONTROLS = [
  '\u202A',
  '\u202B',
  '\u202C',
  '\u202D',
  '\u202E',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u200E',
  '\u200F',
  '\u061C',
];
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;

describe('tab: bidi controls', () => {
  let h: Harness;
  let alex: string;
  let riley: string;

  beforeAll(async () => {
    h = await startHarness();
    [alex, riley] = await Promise.all(['approver', 'requester'].map((user) => tabToken(h, user)));
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('names, reasons, role names and audit details come without them, everywhere the tab shows them', async () => {
    const granted = await grantApproved(h, 'aks-prod contosoacr deploy payments-api to prod');
    const plan = granted.plan;
    if (plan.kind !== 'grant') throw new Error('expected a grant');
    const hostile: AccessRequest = {
      ...granted,
      id: 'R-B1D10001',
      requester: { objectId: users.requester.objectId, name: `Riley\u202Egnp.exe` },
      reason: `needs ${CONTROLS.join('')}images for the rollout\u202E`,
      plan: { ...plan, role: { ...plan.role, name: `AcrPull\u202Ekcab` } },
      createdAt: new Date().toISOString(),
    };
    await h.app.store.create(hostile);
    await h.app.audit.append({
      actor: { objectId: users.approver.objectId, name: 'Alex\u2067 Approver' },
      tenantId: granted.tenantId,
      action: 'request.note',
      requestId: hostile.id,
      targetIds: [],
      outcome: 'noted',
      detail: 'looked at it \u202Edrowssap',
    });

    // Riley's own My access (the hostile record is theirs); the matrix and history as Alex.
    for (const [path, token] of [
      ['/api/tab/matrix', alex],
      ['/api/tab/my-access', riley],
      [`/api/tab/requests/${hostile.id}`, alex],
    ] as const) {
      const res = await call(h.app.url, path, token);
      expect(res.status).toBe(200);
      expect(res.text).toContain('R-B1D10001');
      expect(JSON.stringify(res.body)).not.toMatch(BIDI);
    }
    const history = await call(h.app.url, `/api/tab/requests/${hostile.id}`, alex);
    expect(history.body.row).toMatchObject({
      requester: { name: 'Rileygnp.exe' },
      reason: 'needs images for the rollout',
      howText: expect.stringContaining('AcrPullkcab role'),
    });
    expect(history.body.audit).toContainEqual(
      expect.objectContaining({
        actor: expect.objectContaining({ name: 'Alex Approver' }),
        detail: 'looked at it drowssap',
      }),
    );
  });
});
