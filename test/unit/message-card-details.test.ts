/**
 * The small message cards: a message's warning line, the unexpected-failure sentence, refusal
 * titles by error code, the answer to a message acrbot does not read, "Access already exists",
 * and the audit card's chain head, subtitle and rows. Written to kill mutants that survived
 * mutation testing.
 */
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import { UserFacingError } from '../../src/domain/errors';
import { ROLE_IDS } from '../../src/domain/roles';
import {
  alreadyGrantedCard,
  auditCard,
  chainHeadText,
  errorCard,
  grantFormCard,
  messageCard,
  unexpectedErrorText,
  unreadContentCard,
} from '../../src/views/message-view';
import { cardTexts } from '../helpers/capturing-connector';
import { auditEvent, grantPlan, ownRoleAssignment, pendingRequest, SUB } from './support/requests';

describe('a message card', () => {
  test('its warning is shown, on a line of its own before the text', () => {
    const shown = cardTexts(
      messageCard({ title: 'T', text: 'the text', warning: 'Not in force: read this', sandbox: false }),
    );
    const warning = shown.indexOf('Not in force: read this');
    expect(warning).toBeGreaterThanOrEqual(0);
    expect(warning).toBeLessThan(shown.indexOf('the text'));
  });
});

describe('the sentence for an unexpected failure', () => {
  test('says nothing was changed only where the failure stopped before any change', () => {
    expect(unexpectedErrorText('ref1', true)).toContain('nothing was changed');
    expect(unexpectedErrorText('ref1', false)).not.toContain('nothing was changed');
    expect(unexpectedErrorText('ref1', false)).toContain('reference ref1');
  });
});

describe("a failed command's card", () => {
  test('a refusal because new access is paused is titled so, whatever the command', () => {
    const err = new UserFacingError('access.paused', 'New access is paused.', []);
    const shown = cardTexts(
      errorCard({ err, title: 'Could not create the request', reference: 'ref1', sandbox: false }),
    );
    expect(shown).toContain('New access is paused');
    expect(shown).not.toContain('Could not create the request');
  });

  test("any other refusal keeps the command's title", () => {
    const err = new UserFacingError('cluster.notFound', 'No cluster named x was found.', []);
    const shown = cardTexts(
      errorCard({ err, title: 'Could not create the request', reference: 'ref1', sandbox: false }),
    );
    expect(shown).toContain('Could not create the request');
  });
});

describe('the answer to a message acrbot does not read', () => {
  test('a button click sent as a message says the button does not work here', () => {
    const shown = cardTexts(unreadContentCard('cardSubmit', false)).join('\n');
    expect(shown).toContain('That button does not work here');
    expect(shown).toContain('Nothing was changed');
  });

  test('a file or image says acrbot reads typed text only', () => {
    const shown = cardTexts(unreadContentCard('attachment', false)).join('\n');
    expect(shown).toContain('acrbot reads typed text only');
    expect(shown).not.toContain('That button does not work here');
  });
});

describe('"Access already exists"', () => {
  const plan = grantPlan();
  const own = ownRoleAssignment(plan);
  const ended = (id: string) => pendingRequest({ id, state: 'revoked', plan });
  const text = (...args: Parameters<typeof alreadyGrantedCard>) => cardTexts(alreadyGrantedCard(...args)).join('\n');

  test("held by the requester's own grant: it offers extend, and says nothing of grants left behind", () => {
    const mine = pendingRequest({
      state: 'succeeded',
      policy: { ruleId: 'prod', policyHash: 'h', approvalsRequired: 1 },
    });
    const card = text(plan, own, false, mine, undefined, [ended('R-LEFT0001')]);
    expect(card).toContain(`extend ${mine.id}`);
    expect(card).not.toContain('R-LEFT0001');
    expect(card).not.toContain('az role assignment delete');
  });

  test('left by two grants: both named, in the plural', () => {
    const card = text(plan, own, false, undefined, undefined, [ended('R-LEFT0001'), ended('R-LEFT0002')]);
    expect(card).toContain('left from acrbot grants R-LEFT0001, R-LEFT0002, which have ended');
  });

  test('left by four grants: all four named', () => {
    const four = ['R-LEFT0001', 'R-LEFT0002', 'R-LEFT0003', 'R-LEFT0004'];
    const card = text(plan, own, false, undefined, undefined, four.map(ended));
    expect(card).toContain(`acrbot grants ${four.join(', ')}, which have ended`);
    expect(card).not.toContain('others');
  });

  test('left by six grants: three named and the other three counted', () => {
    const six = ['R-LEFT0001', 'R-LEFT0002', 'R-LEFT0003', 'R-LEFT0004', 'R-LEFT0005', 'R-LEFT0006'];
    const card = text(plan, own, false, undefined, undefined, six.map(ended));
    expect(card).toContain('acrbot grants R-LEFT0001, R-LEFT0002, R-LEFT0003 and 3 others, which have ended');
  });

  test('the assignment id in the delete command is shown inert', () => {
    const hostile = { ...own, id: `${own.id}[x](https://evil.example/x)` };
    const card = text(plan, hostile, false, undefined, undefined, [ended('R-LEFT0001')]);
    expect(card).toContain('evil.example/x');
    expect(card).not.toContain('](https://evil');
  });

  describe('its Role fact', () => {
    const role = (existing: RoleAssignmentInfo, name?: string) => text(plan, existing, false, undefined, name);

    test("acrbot's own role is named, whatever the case of its id", () => {
      const upper = {
        ...own,
        roleDefinitionId: own.roleDefinitionId.replace(ROLE_IDS.acrPull, ROLE_IDS.acrPull.toUpperCase()),
      };
      expect(role(upper)).toContain(plan.role.name);
      expect(role(upper)).not.toContain('role definition');
    });

    test("another role is named by its definition's name, inert, with its id", () => {
      const other = {
        ...own,
        roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c`,
      };
      expect(role(other, 'Contributor')).toContain(
        'Contributor (role definition b24988ac-6180-42a0-ab88-20f7382dd24c)',
      );
      const hostile = role(other, 'Custom [x](https://evil.example/x)');
      expect(hostile).toContain('evil.example/x');
      expect(hostile).not.toContain('](https://evil');
    });
  });

  describe('its Scope fact', () => {
    test('a resource group and a subscription are named as such', () => {
      expect(text(plan, { ...own, scope: `/subscriptions/${SUB}/resourceGroups/rg-acr` }, false)).toContain(
        'resource group rg-acr',
      );
      expect(text(plan, { ...own, scope: `/subscriptions/${SUB}` }, false)).toContain(`subscription ${SUB}`);
    });

    test('any other scope is shown as it is, inert', () => {
      const card = text(
        plan,
        { ...own, scope: '/providers/Microsoft.Management/managementGroups/[x](https://evil.example/x)' },
        false,
      );
      expect(card).toContain('managementGroups');
      expect(card).not.toContain('](https://evil');
    });
  });
});

describe('the chain head the audit channel card publishes', () => {
  const hash = 'a'.repeat(64);
  const mac = 'b'.repeat(64);

  test('keyed: its MAC prefix', () => {
    expect(chainHeadText({ seq: 7, hash, mac })).toBe(`Chain head: #7 · MAC ${'b'.repeat(16)}`);
  });

  test('without an audit key: its hash prefix, marked unkeyed', () => {
    expect(chainHeadText({ seq: 7, hash })).toBe(`Chain head: #7 · hash ${'a'.repeat(16)} (unkeyed)`);
  });

  test('is on the audit card when given, and only then', () => {
    const entry = { ...auditEvent(1), seq: 7, ts: '2025-01-15T10:00:00.000Z', prevHash: '', hash, mac };
    expect(cardTexts(auditCard('R-1', 'sub', [entry], false, entry))).toContain(chainHeadText(entry));
    expect(cardTexts(auditCard('R-1', 'sub', [entry], false)).join('\n')).not.toContain('Chain head');
  });
});

describe('a refused grant form, filled in again with what was submitted', () => {
  // Seen by every member of the conversation: a password pasted into any field is scrubbed (G12).
  const SECRET = 'Zq8vS3cr3tV4lu3xYz';
  const pasted = `password=${SECRET}`;

  test.each(['cluster', 'registry', 'reason', 'error'] as const)('a secret in its %s is not shown', (field) => {
    const json = JSON.stringify(grantFormCard({ sandbox: false, [field]: pasted }));
    expect(json).toContain('password=');
    expect(json).not.toContain(SECRET);
  });
});

describe("an audit card's subtitle", () => {
  test('names the requester, whose Teams name is user text: shown inert', () => {
    const card = auditCard(
      'R-1',
      'Riley [x](https://evil.example/x) <at>Everyone</at>: aks-prod → contosoacr',
      [],
      false,
    );
    const json = JSON.stringify(cardTexts(card));
    expect(json).toContain('evil.example/x');
    expect(json).not.toMatch(/\]\(|https:\/\/evil|<at>/);
  });
});

describe("an audit card's rows", () => {
  test('an entry of no request shows a dash where the request goes', () => {
    const entry = {
      ...auditEvent(1),
      requestId: undefined,
      seq: 3,
      ts: '2025-01-15T10:00:00.000Z',
      prevHash: '',
      hash: 'a'.repeat(64),
    };
    expect(cardTexts(auditCard('Latest audit entries', '', [entry], false))).toContain(
      '2025-01-15 10:00:00 UTC · Riley Requester · —',
    );
  });
});
