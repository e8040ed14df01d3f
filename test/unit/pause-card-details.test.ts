/**
 * The pause cards: who paused new access is shown inert, the reason only where asked for, and
 * the Resume button carries who typed the reason. Written to kill mutants that survived mutation
 * testing.
 */
import type { AccessPause } from '../../src/domain/ports';
import { pauseStateCard, resumeConfirmCard, resumedCard } from '../../src/views/pause-view';
import { resumeReasonOf } from '../../src/views/resume-reason';
import { cardTexts } from '../helpers/capturing-connector';
import { APPROVER, OUTSIDER } from './support/requests';

const HOSTILE = 'Alex [open](https://evil.example/x) <at>Everyone</at>';

const pause: AccessPause = {
  since: '2025-01-15T10:00:00.000Z',
  by: { objectId: APPROVER.objectId, name: APPROVER.name },
  reason: 'unexpected grants on prod',
};

function expectInert(json: string): void {
  expect(json).toContain('evil.example/x');
  expect(json).not.toContain('https://evil');
  expect(json).not.toContain('](');
  expect(json).not.toContain('<at>');
}

describe('who paused new access', () => {
  test('is shown inert: a Teams name is user text', () => {
    const card = pauseStateCard({ ...pause, by: { ...pause.by, name: HOSTILE } }, false, false);
    expectInert(JSON.stringify(card));
  });
});

describe('the reason for a pause', () => {
  test('the confirmation before resume shows it only to those allowed to read it', () => {
    expect(cardTexts(resumeConfirmCard(pause, 'closed', false, false)).join('\n')).not.toContain(pause.reason);
    expect(cardTexts(resumeConfirmCard(pause, 'closed', true, false)).join('\n')).toContain(pause.reason);
  });

  test('the answer to Resume shows it only to those allowed to read it', () => {
    expect(cardTexts(resumedCard({ lifted: pause }, false, false)).join('\n')).not.toContain(pause.reason);
    expect(cardTexts(resumedCard({ lifted: pause }, true, false)).join('\n')).toContain(pause.reason);
  });

  test('the reason typed with resume is echoed, inert', () => {
    const json = JSON.stringify(cardTexts(resumeConfirmCard(pause, `closed ${HOSTILE}`, false, false)));
    expect(json).toContain('(reason: \\"closed');
    expectInert(json);
  });
});

describe('the Resume button', () => {
  /** The data the card's one button sends. */
  const data = (card: unknown) =>
    (card as { actions: Array<{ verb: string; data: { since: string; by: string; reason: string } }> }).actions[0];

  test('names the pause it lifts, by the id of who paused it', () => {
    const button = data(resumeConfirmCard(pause, 'closed', true, false));
    expect(button.verb).toBe('resumeConfirm');
    expect(button.data.since).toBe(pause.since);
    expect(button.data.by).toBe(APPROVER.objectId);
  });

  test("carries who typed the reason: another approver's click is not audited with it as their own", () => {
    const button = data(resumeConfirmCard(pause, 'closed', true, false, APPROVER));
    expect(resumeReasonOf(button.data.reason, OUTSIDER)).not.toBe('closed');
    expect(resumeReasonOf(button.data.reason, APPROVER)).toBe('closed');
  });
});
