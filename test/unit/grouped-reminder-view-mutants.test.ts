/**
 * The grouped expiry reminder (grouped-reminder-view.ts), from breaking it: each reason a row
 * offers no Extend (break-glass, no term allowed yet, a drifted grant's note made inert) is said
 * on its row and leaves its button out; a pull secret's credential row is never called drifted.
 */
import type { AccessRequest } from '../../src/domain/request';
import { groupedReminderCard, type GroupedReminderRow } from '../../src/views/grouped-reminder-view';
import { groupedExtends, groupedRows } from './support/grouped-reminder-card';
import { APPROVER, grantPlan, pendingRequest, secretPlan } from './support/requests';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const ENDS = '2025-02-13T10:00:00.000Z';

const granted: AccessRequest = pendingRequest({
  state: 'succeeded',
  version: 4,
  decision: { by: APPROVER, at: '2025-01-14T10:00:00.000Z', approved: true },
  access: { durationMs: 30 * DAY_MS, expiresAt: ENDS },
});

function row(request: AccessRequest, extra: Partial<GroupedReminderRow> = {}): GroupedReminderRow {
  return { request, inMs: DAY_MS, at: ENDS, credential: false, offeredMs: 30 * DAY_MS, ...extra };
}

const valueOf = (card: unknown, id: string) => groupedRows(card).find((f) => f.title === id)!.value;
const buttons = (card: unknown) => groupedExtends(card).map((a) => a.title);

describe('rows that offer no Extend', () => {
  test('break-glass access: said on its row, and no button for it', () => {
    const glass = {
      ...granted,
      id: 'R-BBBBBBB2',
      policy: { ruleId: 'glass', policyHash: 'h', approvalsRequired: 0, breakGlass: true },
    };
    const card = groupedReminderCard([row(granted), row(glass)], 0);
    expect(valueOf(card, 'R-BBBBBBB2')).toMatch(
      /: ends .*\. Break-glass access cannot be extended: to keep pulling, ask for a normal grant\.$/,
    );
    expect(buttons(card)).toEqual(['Extend R-7K2M9QXA']);
  });

  test('no term allowed would yet end much later: said with the command for later, no button, no shared term', () => {
    const card = groupedReminderCard([row(granted, { offeredMs: undefined })], 0);
    expect(valueOf(card, 'R-7K2M9QXA')).toMatch(
      /No extension term allowed here would yet end much later; closer to the end, "@acrbot extend R-7K2M9QXA --for TERM REASON…"\.$/,
    );
    expect(buttons(card)).toEqual([]);
    expect(JSON.stringify(card)).not.toContain('"id":"duration"');
  });

  test('a drifted grant whose command names a resource group spelled like a host: the note is inert', () => {
    const plan = grantPlan();
    const drifted: AccessRequest = {
      ...granted,
      plan: { ...plan, cluster: { ...plan.cluster, resourceGroup: 'www.evil.example' } },
      access: { ...granted.access!, driftDetectedAt: '2025-01-20T08:00:00.000Z', driftReason: 'deleted' },
    };
    const value = valueOf(groupedReminderCard([row(drifted)], 0), 'R-7K2M9QXA');
    expect(value).toContain('was removed or changed outside acrbot');
    expect(value).toContain('/resourceGroups/www\u200b.evil.example/');
    expect(value).not.toContain('www.evil');
  });
});

test("a pull secret's credential row is not called drifted: its Extend is offered", () => {
  const secret: AccessRequest = {
    ...granted,
    plan: secretPlan({ expiresAt: '2025-02-13T08:00:00.000Z' }),
    access: {
      durationMs: 60 * DAY_MS,
      expiresAt: '2025-03-15T10:00:00.000Z',
      driftDetectedAt: '2025-01-20T08:00:00.000Z',
      driftReason: 'deleted',
    },
  };
  const card = groupedReminderCard(
    [row(secret, { credential: true, at: '2025-02-13T08:00:00.000Z', inMs: 22 * HOUR_MS })],
    0,
  );
  expect(valueOf(card, 'R-7K2M9QXA')).toMatch(
    /^Credential in pull secret .*: expires 2025-02-13 08:00 UTC, in 22 hours\. Extend R-7K2M9QXA below\.$/,
  );
  expect(buttons(card)).toEqual(['Extend R-7K2M9QXA']);
});
