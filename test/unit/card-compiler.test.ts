/**
 * The card compiler expands acrbot's templates exactly as adaptivecards-templating does: every
 * card the views render (recorded below) is expanded by both and compared, and the engine's
 * edge semantics (missing values, types, `$when`, `$data`) are pinned on small templates.
 */
import { Template } from 'adaptivecards-templating';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chainEntry } from '../../src/domain/audit-chain';
import { compileCard } from '../../src/views/card-compiler';
import { CARDS_DIR, type CardName } from '../../src/views/card-templates';
import {
  alreadyGrantedCard,
  auditCard,
  errorCard,
  grantFormCard,
  helpCard,
  messageCard,
} from '../../src/views/message-view';
import { outcomeCard, requestCard } from '../../src/views/request-view';
import { APPROVER, auditEvent, grantPlan, pendingRequest } from './support/requests';

const recorded: Array<{ name: CardName; data: object }> = [];

jest.mock('../../src/views/card-templates', () => {
  const actual = jest.requireActual('../../src/views/card-templates');
  return {
    ...actual,
    renderCard: (name: CardName, data: object) => {
      recorded.push({ name, data: structuredClone(data) });
      return actual.renderCard(name, data);
    },
  };
});

const engine = (name: CardName, data: object) =>
  new Template(JSON.parse(readFileSync(join(CARDS_DIR, `${name}.json`), 'utf8'))).expand({ $root: data });
const compiled = (name: CardName, data: object) =>
  compileCard(JSON.parse(readFileSync(join(CARDS_DIR, `${name}.json`), 'utf8')))(data);

describe('every card the views render', () => {
  const decided = { by: APPROVER, at: '2025-01-15T10:00:00.000Z', approved: true };
  beforeAll(() => {
    requestCard(pendingRequest(), { showActions: true });
    requestCard(pendingRequest({ reason: 'deploy ${requestId} now' }), { showActions: false });
    requestCard(pendingRequest({ state: 'executing', decision: decided }), { showActions: true });
    requestCard(
      pendingRequest({
        state: 'failed',
        decision: decided,
        outcome: { summary: 'F', azureRequestIds: [], error: 'x' },
      }),
      { showActions: true, notice: 'refused', noticeColor: 'Attention' },
    );
    outcomeCard(
      pendingRequest({
        state: 'succeeded',
        decision: decided,
        outcome: { summary: 'Granted AcrPull', azureRequestIds: ['a1'], createdIds: ['/x/roleAssignments/1'] },
      }),
    );
    outcomeCard(
      pendingRequest({
        state: 'failed',
        decision: decided,
        outcome: { summary: 'Failed', azureRequestIds: [], error: 'no', cleanup: 'deleted' },
      }),
    );
    messageCard({
      title: 'T',
      text: 'x',
      tone: 'error',
      hints: ['aks-prod'],
      facts: [{ label: 'a', value: 'b' }],
      sandbox: true,
    });
    messageCard({ title: 'T', text: 'x', tone: 'info', sandbox: false });
    errorCard({ err: new Error('boom'), reference: 'turn-1', sandbox: false });
    const plan = grantPlan();
    alreadyGrantedCard(
      plan,
      { id: '/ra/1', name: '1', principalId: 'p', roleDefinitionId: 'r', scope: plan.scope },
      true,
    );
    grantFormCard({ sandbox: true, cluster: 'aks-prod', error: 'bad registry' });
    grantFormCard({ sandbox: false });
    auditCard(
      'Latest',
      'last 2',
      [
        chainEntry(auditEvent(1), undefined, new Date()),
        chainEntry(auditEvent(2, { detail: undefined }), undefined, new Date()),
      ],
      true,
    );
    auditCard('Latest', 'none', [], false);
    helpCard(true);
    helpCard(false);
  });

  test('were recorded from all six templates', () => {
    expect(new Set(recorded.map((r) => r.name))).toEqual(
      new Set(['request', 'outcome', 'message', 'help', 'grant-form', 'audit']),
    );
  });

  test('expand identically with the compiler and with adaptivecards-templating', () => {
    for (const { name, data } of recorded) expect([name, compiled(name, data)]).toEqual([name, engine(name, data)]);
  });
});

describe('engine semantics on small templates', () => {
  const both = (template: unknown, data: object) => {
    const expected = new Template(template).expand({ $root: data });
    expect(compileCard(template)(data)).toEqual(expected);
    return expected;
  };

  test('a lone ${…} keeps the type; mixed text stringifies; missing values stay literal', () => {
    expect(
      both(
        {
          n: '${n}',
          b: '${flag}',
          o: '${obj}',
          nul: '${nul}',
          mixed: 'v${n}/${flag}',
          missing: '${gone}',
          part: 'a ${gone}',
        },
        { n: 3, flag: true, obj: { k: 'v' }, nul: null },
      ),
    ).toEqual({ n: 3, b: true, o: { k: 'v' }, nul: null, mixed: 'v3/true', missing: '${gone}', part: 'a ${gone}' });
  });

  test('$when keeps only a boolean true; comparisons with a string constant', () => {
    const w = (cond: unknown, x: number) => ({ $when: cond, x });
    both(
      {
        items: [
          w('${t}', 1),
          w('${one}', 2),
          w('${s}', 3),
          w('${gone}', 4),
          w("${s != ''}", 5),
          w("${e != ''}", 6),
          w("${gone != ''}", 7),
          w("${e == ''}", 8),
          w(false, 9),
          w('text', 10),
        ],
        dropped: w('${f}', 11),
      },
      { t: true, f: false, one: 1, s: 'str', e: '' },
    );
  });

  test('$data repeats per item (none, one, many), rebinds names, keeps $root and $index', () => {
    const item = { $data: '${list}', v: '${$data}', i: '${$index}', r: '${$root.n}', bare: '${n}' };
    for (const list of [[], ['a'], ['a', 'b', 'c']])
      both({ items: [item], single: { $data: '${obj}', k: '${k}' } }, { list, n: 1, obj: { k: 2 } });
  });

  test('user data is never evaluated', () => {
    expect(both({ t: '${text}' }, { text: '${secret}' })).toEqual({ t: '${secret}' });
  });

  test('unsupported expressions are refused when compiling, not at render', () => {
    expect(() => compileCard({ t: '${concat(a, b)}' })).toThrow(/not supported/);
    expect(() => compileCard({ t: '${a + 1}' })).toThrow(/not supported/);
    expect(() => compileCard({ t: '${$host.x}' })).toThrow(/not supported/);
  });
});
