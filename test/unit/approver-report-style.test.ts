/**
 * Reports to the approvers that are not one request's failure read as what they are: an outage's
 * summary is titled by the outage and how many wait, in Warning, without one request's facts; an
 * end that left outside access is news in its own words (approverReportCard's style). Per-job
 * failures keep "Needs attention: R-…", red, with the request's facts. And the words of the
 * requester's end notice at Teams widths: scopes named, not ARM ids; the outage summary's count
 * and oldest due time; a kept assignment that nobody will delete says who must.
 */
import type { OutsidePull } from '../../src/domain/audit-end-words';
import { outsidePullCardWords } from '../../src/domain/outside-pull-card-words';
import { outageSummaryStyle, outageSummaryText } from '../../src/flows/outage-report';
import { approverReportCard, requesterNewsCard } from '../../src/views/lifecycle-view';
import { cardText } from '../helpers/capturing-connector';
import { APPROVER, grantPlan, pendingRequest, REGISTRY_ID, SUB } from './support/requests';

const text = (card: unknown) => cardText({ attachments: [{ content: card }] });
const ended = pendingRequest({
  state: 'revoked',
  access: { durationMs: 600_000, expiresAt: '2025-01-15T10:10:00.000Z', revokedAt: '2025-01-15T10:10:00.000Z' },
});
const RG = `/subscriptions/${SUB}/resourceGroups/rg-acr`;
const GROUP = '6a000000-0000-4000-8000-000000000001';

/** A tinted container's style, as the colour its text reads as (tint.ts). */
const TINTED: Record<string, string> = { good: 'Good', warning: 'Warning', attention: 'Attention', accent: 'Accent' };

/**
 * The title, colour and fact labels of a lifecycle card (its title: the bold block that wraps, after any SANDBOX;
 * a coloured title is drawn on a background of its tint, lifecycle.json, and reads as that colour here).
 */
function shape(card: unknown): { title: string; color?: string; facts: string[] } {
  const body = (card as { body: Array<Record<string, any>> }).body.map((b) =>
    b.type === 'Container' && TINTED[b.style] ? { ...b.items[0], color: TINTED[b.style] } : b,
  );
  const head = body.find((b) => b.type === 'TextBlock' && b.weight === 'Bolder' && b.wrap)!;
  const factSet = body.find((b) => b.type === 'FactSet') as { facts: Array<{ title: string }> } | undefined;
  return { title: String(head.text), color: head.color as string, facts: (factSet?.facts ?? []).map((f) => f.title) };
}

describe("the approvers' report", () => {
  test('a per-job failure keeps "Needs attention", red, with the request\u2019s facts', () => {
    const card = shape(approverReportCard(ended, 'Revoking the access is not done after 3 attempts.', false));
    expect(card.title).toBe(`Needs attention: ${ended.id}`);
    expect(card.color).toBe('Attention');
    expect(card.facts).toEqual(['Request', 'Access', 'Term']);
  });

  test("an outage's summary: titled by the outage and the count, Warning, no one request's facts", () => {
    const style = outageSummaryStyle({
      kind: 'access.expire',
      count: 42,
      atLeast: false,
      failure: { service: 'Azure', answer: '503 ServiceUnavailable', key: 'Azure:503' },
    });
    expect(style).toEqual({ title: 'Azure outage: 42 access ends waiting', tone: 'warning', requestFacts: false });
    const card = shape(approverReportCard(ended, 'summary', false, style));
    expect(card.title).toBe('Azure outage: 42 access ends waiting');
    expect(card.color).toBe('Warning');
    expect(card.facts).toEqual([]);
    expect(JSON.stringify(approverReportCard(ended, 'summary', false, style))).not.toContain('Needs attention');
    // A 429 is throttling, not an outage; one task, in the singular.
    expect(
      outageSummaryStyle({
        kind: 'approval.remind',
        count: 1,
        atLeast: false,
        failure: { service: 'Microsoft Graph', answer: '429 TooManyRequests', key: 'Microsoft Graph:429' },
      }).title,
    ).toBe('Microsoft Graph throttling: 1 task waiting');
  });

  test('an end that left outside access: its own title and tone, with the request\u2019s facts', () => {
    const card = shape(
      approverReportCard(ended, 'ended', false, {
        title: `Ended; the cluster can still pull: ${ended.id}`,
        tone: 'warning',
        requestFacts: true,
      }),
    );
    expect(card.title).toBe(`Ended; the cluster can still pull: ${ended.id}`);
    expect(card.color).toBe('Warning');
    expect(card.facts).toEqual(['Request', 'Access', 'Term']);
  });
});

describe("the outage summary's count", () => {
  const base = {
    what: 'Revoking the access',
    job: { kind: 'access.expire' as const, attempts: 3, dueAt: '2026-11-30T11:00:00.000Z' },
    atLeast: false,
    since: '2026-11-30T10:00:00.000Z',
    failure: { service: 'Azure' as const, answer: '503 ServiceUnavailable', key: 'Azure:503' },
  };

  test('one other waiting: counted with this one, the oldest due time said of them all', () => {
    expect(outageSummaryText({ ...base, others: 1 })).toMatch(
      /^Revoking the access is not done after 3 attempts, one of 2 access ends waiting \(the oldest due at 2026-11-30 10:00 UTC\)\. /,
    );
  });

  test('none other: its own due time; many: the whole count', () => {
    expect(outageSummaryText({ ...base, others: 0 })).toMatch(
      /^Revoking the access is not done after 3 attempts \(due at 2026-11-30 10:00 UTC\)\. /,
    );
    expect(outageSummaryText({ ...base, others: 41, atLeast: true })).toContain(
      ', one of at least 42 access ends waiting (the oldest due at',
    );
    expect(outageSummaryText({ ...base, others: 1 })).not.toMatch(/more|first of them|is waiting too/);
  });
});

describe("the requester's end notice at Teams widths", () => {
  const pulls: OutsidePull[] = [
    { role: 'AcrPull', scope: RG },
    { role: 'Custom Puller', scope: `/subscriptions/${SUB}`, group: GROUP },
    { role: 'AcrPull', scope: REGISTRY_ID, conditioned: true },
  ];

  test('names each scope as the request card does, not by its ARM id', () => {
    const notice = text(requesterNewsCard(ended, { kind: 'ended', by: APPROVER, expired: true, outsidePulls: pulls }));
    expect(notice).not.toMatch(/\/subscriptions\//);
    expect(notice).toContain(
      `The cluster can still pull from contosoacr: AcrPull on resource group rg-acr; Custom Puller on subscription ${SUB}, through a group (object id ${GROUP}); and some repositories: AcrPull on registry contosoacr itself (with a condition), granted outside acrbot; ask their owners to remove them if they should not stay.`,
    );
  });

  test('one pull on a resource group', () => {
    const notice = text(
      requesterNewsCard(ended, {
        kind: 'ended',
        by: APPROVER,
        expired: true,
        outsidePulls: [{ role: 'AcrPull', scope: RG }],
      }),
    );
    expect(notice).not.toMatch(/\/subscriptions\//);
    expect(notice).toContain('AcrPull on resource group rg-acr, granted outside acrbot');
  });

  test('the card words: a management group by its name', () => {
    expect(
      outsidePullCardWords(grantPlan().registry, [
        { role: 'AcrPull', scope: '/providers/Microsoft.Management/managementGroups/mg-platform' },
      ]),
    ).toBe(
      'the cluster can still pull from contosoacr: AcrPull on management group mg-platform, granted outside acrbot',
    );
  });

  test('a kept assignment whose holders could not all be read says who removes it', () => {
    const notice = text(
      requesterNewsCard(ended, {
        kind: 'ended',
        by: APPROVER,
        expired: true,
        kept: { why: 'holders could not all be read; left in place', complete: false },
      }),
    );
    expect(notice).toContain(
      'holders could not all be read; left in place; it stays until the platform team removes it once no grant needs it (acrbot could not read every grant that uses it, so it leaves it in place).',
    );
  });
});
