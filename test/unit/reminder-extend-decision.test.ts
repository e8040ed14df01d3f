/**
 * One decision of where a reminder leaves Extend out (views/reminder-extend.ts, noExtendReason):
 * the grouped card's row and the access's own reminder card (lifecycle-view.ts) agree on it in
 * every case a reminder can meet, and each shows its reason. Not met, so not looked at: a
 * break-glass secret (break-glass is grant-only), a permanent grant's term reminder (no end).
 */
import type { AccessRequest } from '../../src/domain/request';
import { groupedReminderCard } from '../../src/views/grouped-reminder-view';
import { credentialReminderCard, expiryReminderCard } from '../../src/views/lifecycle-view';
import { noExtendReason, type NoExtendReason } from '../../src/views/reminder-extend';
import { grantedBreakGlass, DAY, ENDS, extendOffered, granted, NOW, shown } from './support/reminder-lifecycle';
import { groupedRows } from './support/grouped-reminder-card';
import { secretPlan } from './support/requests';

const told = { since: '2025-02-12T09:30:00.000Z', by: { name: 'Alex Approver' } };
const CREDENTIAL_ENDS = '2025-02-13T08:00:00.000Z';

const REASONS: NoExtendReason[] = [
  'notServed',
  'otherTenant',
  'subscriptionUnserved',
  'drifted',
  'clusterGone',
  'breakGlass',
  'permanentCredential',
  'paused',
  'extensionWaiting',
  'noTermYet',
];

/** Words of each reason a card shows (`row`: a grouped card's row; otherwise the single reminder's). */
function reasonWords(reason: NoExtendReason, request: AccessRequest, row = false): string {
  switch (reason) {
    case 'notServed':
      // A grouped row says only "No Extend": the card's note says why, once.
      return row ? 'No Extend' : 'no longer serves your organisation';
    case 'otherTenant':
      // Likewise: the card's note says why, once.
      return row ? 'No Extend' : 'you are a user of another tenant, so nobody can approve an extension from there';
    case 'subscriptionUnserved':
      return 'registry contosoacr is in a subscription this deployment no longer serves, so it cannot be extended here';
    case 'drifted':
      return `${request.id} no longer lets aks-prod pull from contosoacr and cannot be extended`;
    case 'clusterGone':
      return `Cluster aks-prod no longer exists (seen 2025-02-11 09:00 UTC), so ${request.id} gives nothing and cannot be extended`;
    case 'breakGlass':
      return 'reak-glass access';
    case 'permanentCredential':
      return 'ask for the secret again under the same name';
    case 'paused':
      return row ? 'No Extend while new access is paused' : 'New access is paused since';
    case 'extensionWaiting':
      return 'Extension R-EXTWAIT1 waits for approval';
    case 'noTermYet':
      return 'No extension term allowed here would yet end much later';
  }
}

interface Case {
  name: string;
  request: AccessRequest;
  credential: boolean;
}

const drifted: AccessRequest = {
  ...granted,
  access: { ...granted.access!, driftDetectedAt: '2025-02-11T10:00:00.000Z', driftReason: 'deleted' },
};
/** Its cluster read gone by the drift check (drift-detector.ts, noteClusterGone). */
const gone: AccessRequest = {
  ...granted,
  access: { ...granted.access!, clusterGoneAt: '2025-02-11T09:00:00.000Z' },
};
const secret: AccessRequest = { ...granted, plan: secretPlan({ expiresAt: CREDENTIAL_ENDS }) };
const kinds: Case[] = [
  { name: 'a grant', request: granted, credential: false },
  { name: 'a drifted grant', request: drifted, credential: false },
  { name: 'a break-glass grant', request: grantedBreakGlass(granted.access), credential: false },
  { name: 'a drifted break-glass grant', request: grantedBreakGlass(drifted.access), credential: false },
  { name: 'a grant whose cluster is gone', request: gone, credential: false },
  {
    name: 'a drifted grant whose cluster is gone',
    request: { ...gone, access: { ...gone.access!, ...drifted.access } },
    credential: false,
  },
  { name: 'a break-glass grant whose cluster is gone', request: grantedBreakGlass(gone.access), credential: false },
  { name: 'a secret’s term', request: { ...secret, plan: secretPlan() }, credential: false },
  { name: 'a secret’s credential', request: secret, credential: true },
  { name: 'a permanent secret’s credential', request: { ...secret, access: { permanent: true } }, credential: true },
];

/** The plan's registry in a subscription taken out of ACRBOT_SUBSCRIPTION_IDS since. */
const UNSERVED = { kind: 'registry' as const, name: 'contosoacr', subscriptionId: 'sub-old' };

const cases = kinds.flatMap((kind) =>
  [false, true].flatMap((paused) =>
    [undefined, 'R-EXTWAIT1'].flatMap((extensionWaiting) =>
      [undefined, 30 * DAY].flatMap((offeredMs) =>
        [{}, { notServed: true }, { otherTenant: true }, { notServed: true, otherTenant: true }].flatMap((tenant) =>
          [undefined, UNSERVED].map((unserved) => ({
            ...kind,
            paused,
            extensionWaiting,
            offeredMs,
            notServed: false,
            otherTenant: false,
            ...tenant,
            unserved,
          })),
        ),
      ),
    ),
  ),
);

test.each(
  cases.map((c) => [
    `${c.name}${c.paused ? ', paused' : ''}${c.extensionWaiting ? ', an extension waiting' : ''}${c.offeredMs ? '' : ', no term yet'}${c.notServed ? ', tenant not served' : ''}${c.otherTenant ? ', another tenant' : ''}${c.unserved ? ', subscription not served' : ''}`,
    c,
  ]),
)('%s: the single reminder and the grouped row agree', (_name, c) => {
  const reason = noExtendReason(c);
  const pause = c.paused ? told : undefined;
  const inMs = Date.parse(ENDS) - Date.parse(NOW);
  const single = c.credential
    ? credentialReminderCard(
        c.request,
        inMs,
        CREDENTIAL_ENDS,
        c.offeredMs,
        pause,
        c.extensionWaiting,
        c.notServed,
        c.unserved,
        c.otherTenant,
      )
    : expiryReminderCard(
        c.request,
        inMs,
        c.offeredMs,
        pause,
        c.extensionWaiting,
        c.notServed,
        c.unserved,
        c.otherTenant,
      );
  const other = { ...granted, id: 'R-OTHERXX9' };
  const grouped = groupedReminderCard(
    [
      {
        request: c.request,
        inMs,
        at: c.credential ? CREDENTIAL_ENDS : ENDS,
        credential: c.credential,
        offeredMs: c.offeredMs,
        ...(c.extensionWaiting && { extensionWaiting: c.extensionWaiting }),
        ...(c.unserved && { unserved: c.unserved }),
      },
      { request: other, inMs, at: ENDS, credential: false, offeredMs: 30 * DAY },
    ],
    0,
    pause,
    c.notServed,
    c.otherTenant,
  );
  const row = groupedRows(grouped).find((f) => f.title === c.request.id)!;
  const rowExtend = shown(row.actions).includes(`"requestId":"${c.request.id}"`);
  expect(extendOffered(single)).toBe(reason === undefined);
  expect(rowExtend).toBe(reason === undefined);
  if (reason === undefined) return;
  expect(row.value).toContain(reasonWords(reason, c.request, true));
  // The single card may say more than one (paused, too): the one decided comes first.
  const text = shown(single);
  const at = text.indexOf(reasonWords(reason, c.request));
  expect(at).toBeGreaterThanOrEqual(0);
  for (const other of REASONS.filter((r) => r !== reason)) {
    const otherAt = text.indexOf(reasonWords(other, c.request));
    if (otherAt >= 0) expect({ other, after: otherAt > at }).toEqual({ other, after: true });
  }
});
