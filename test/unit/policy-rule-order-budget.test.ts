/**
 * The hidden-rule check's message when its budget runs out part-way: the rule is hidden (that was
 * proven), but whether the two rules fit the same requests may not have been. The message then
 * says both fixes, and never claims the hidden rule is the narrower one, nor that the two are
 * the same, when the comparison that would tell stopped short.
 */
import { DEFAULT_INCLUSION_STEPS } from '../../src/domain/glob-inclusion';
import { unreachableRules } from '../../src/config/policy-rule-order';

const ORDER = '(rules are tried in order, the first that fits applies)';
const HIDDEN = 'rule b is never reached: rules[0] a (line 3), before it, fits';
const SAME = `${HIDDEN} exactly the requests it fits ${ORDER}; remove one of the two`;
const NARROWER = `${HIDDEN} every request it fits ${ORDER}; put the narrower rule first: move b above a`;
const UNTOLD =
  `${HIDDEN} every request it fits ${ORDER}; if a fits more, put the narrower rule first: move b above a; ` +
  'if they fit the same requests, remove one of the two (acrbot stopped comparing them before it could tell which)';

/** The messages of the check of rules `a` then `b` (raw matches) under a budget of `steps`. */
const messagesAt = (a: object, b: object, steps: number) => {
  const out: string[] = [];
  unreachableRules(
    {
      rules: [
        { id: 'a', match: a },
        { id: 'b', match: b },
      ],
    },
    (_path, message) => out.push(message),
    () => 3,
    steps,
  );
  return out;
};

/** Every distinct message list of the check at each budget from 0 to `upTo` steps. */
const messagesByBudget = (a: object, b: object, upTo: number) => {
  const seen = new Set<string>();
  for (let steps = 0; steps <= upTo; steps++) seen.add(JSON.stringify(messagesAt(a, b, steps)));
  return [...seen].map((m) => JSON.parse(m) as string[]);
};

describe('policy file: a hidden rule when the comparison budget runs out', () => {
  test('two rules with the same match: "the same" or both fixes, never "move b above a"', () => {
    const a = { cluster: 'aks-*', registry: 'acrprod' };
    const b = { registry: 'ACRPROD', cluster: 'AKS-*' };
    expect(messagesAt(a, b, DEFAULT_INCLUSION_STEPS)).toEqual([SAME]);
    const seen = messagesByBudget(a, b, 500);
    // The budget ran out before b was found hidden, between the two comparisons, and after both.
    expect(seen).toEqual(expect.arrayContaining([[], [UNTOLD], [SAME]]));
    expect(seen).toHaveLength(3);
  });

  test('a narrower rule after a broader one: "move" or both fixes, never "remove one of the two" alone', () => {
    const a = { cluster: 'aks-*', registry: 'acr*' };
    const b = { cluster: 'aks-prod*', registry: 'acrprod' };
    expect(messagesAt(a, b, DEFAULT_INCLUSION_STEPS)).toEqual([NARROWER]);
    const seen = messagesByBudget(a, b, 500);
    expect(seen).toEqual(expect.arrayContaining([[], [UNTOLD], [NARROWER]]));
    expect(seen).toHaveLength(3);
  });
});
