/**
 * A resource group may hold any letter (names.ts), so `rg-prоd` with a Cyrillic "о" is valid and
 * reads exactly like `rg-prod`: the approval card must say so beside the name.
 */
import { lookAlikeWarning } from '../../src/domain/look-alike-names';
import { checkResourceGroup } from '../../src/domain/names';
import type { GrantPlan } from '../../src/domain/plan';
import { planFacts, requestCard } from '../../src/views/request-view';
import { grantPlan, pendingRequest, SUB } from './support/requests';

const SPOOF = 'rg-pr\u043Ed'; // Cyrillic small o

function withGroups(cluster: string, registry = 'rg-acr'): GrantPlan {
  const plan = grantPlan();
  return {
    ...plan,
    cluster: { ...plan.cluster, resourceGroup: cluster },
    registry: { ...plan.registry, resourceGroup: registry },
  };
}

function fact(plan: GrantPlan, label: string): string {
  return planFacts(pendingRequest({ plan })).find((f) => f.label === label)!.value;
}

describe('look-alike resource groups on the request card', () => {
  it('marks a group mixing Latin and Cyrillic letters on the Cluster row and the posted card', () => {
    expect(checkResourceGroup(SPOOF)).toBe(SPOOF); // valid, as ARM allows it
    const plan = withGroups(SPOOF);
    expect(fact(plan, 'Cluster')).toBe(
      `aks-prod (resource group ${SPOOF} \u26a0 mixes Latin and Cyrillic letters, subscription ${SUB})`,
    );
    const card = JSON.stringify(requestCard(pendingRequest({ plan }), { showActions: true }));
    expect(card).toContain(`${SPOOF} \u26a0 mixes Latin and Cyrillic letters`);
  });

  it("marks the registry's group on the Scope row and a sharing cluster's on the Identity row", () => {
    const plan = withGroups('rg-aks', 'rg-\u03BFps'); // Greek small omicron
    expect(fact(plan, 'Scope')).toContain('rg-\u03BFps \u26a0 mixes Latin and Greek letters,');
    plan.sharedWith = {
      clusters: [{ ...plan.cluster, name: 'aks-other', resourceGroup: SPOOF }],
      more: 0,
      unchecked: [],
    };
    expect(fact(plan, 'Identity')).toContain(`resource group ${SPOOF} \u26a0 mixes Latin and Cyrillic letters,`);
  });

  it('leaves plain ASCII and single-script names as they are', () => {
    expect(fact(withGroups('rg-prod'), 'Cluster')).toBe(`aks-prod (resource group rg-prod, subscription ${SUB})`);
    const cyrillic = '\u0440\u0433-\u043C\u043E\u0441\u043A\u0432\u0430'; // рг-москва
    expect(checkResourceGroup(cyrillic)).toBe(cyrillic);
    expect(fact(withGroups(cyrillic), 'Cluster')).toBe(`aks-prod (resource group ${cyrillic}, subscription ${SUB})`);
    for (const plain of [
      'rg-m\u00FCnchen',
      'rg-mu\u0308nchen',
      'rg-\u6771\u4EAC',
      '\u6771\u4EAC-\u3072\u304C\u3057-\u30C6\u30B9\u30C8',
    ])
      expect(fact(withGroups(plain), 'Cluster')).not.toContain('\u26a0');
  });

  it('marks a group wholly in Cyrillic letters that all look like Latin ones, saying what it reads as', () => {
    const apps = '\u0430\u0440\u0440\u0455'; // аррѕ, all Cyrillic
    expect(fact(withGroups(apps), 'Cluster')).toBe(
      `aks-prod (resource group ${apps} \u26a0 is written in Cyrillic letters that look like Latin: reads as apps, subscription ${SUB})`,
    );
  });

  it('marks a Latin group with a dotless i, saying which letter passes for which', () => {
    const billing = 'rg-b\u0131lling';
    expect(checkResourceGroup(billing)).toBe(billing);
    expect(fact(withGroups(billing), 'Cluster')).toBe(
      `aks-prod (resource group ${billing} \u26a0 has letters that look like others (\u0131 for i), subscription ${SUB})`,
    );
  });

  it('neutralises the plain form the warning quotes', () => {
    const value = fact(withGroups('\uFF57\uFF57\uFF57.evil'), 'Cluster'); // fullwidth "www"
    expect(value).toContain('\u26a0 has special letter forms (plainly www\u200b.evil)');
  });
});

describe('lookAlikeWarning', () => {
  it.each([
    ['rg-prod', undefined],
    ['rg-(prod)_1.x', undefined],
    [SPOOF, 'mixes Latin and Cyrillic letters'],
    ['\u0440\u043E\u03B4', 'mixes Cyrillic and Greek letters'],
    ['rg-\uA4D1rod', 'mixes Latin and Lisu letters'], // Lisu letter PA, a look-alike of P
    ['rg-\u13A0ev', 'mixes Latin and Cherokee letters'], // Cherokee A, a look-alike of D
    ['rg-\uD835\uDDC9rod', 'has special letter forms (plainly rg-prod)'], // mathematical sans-serif p
    ['r\u0261-prod', 'has phonetic letters that look like ordinary ones'], // Latin script small g
    ['\u10D0-\u0430', 'mixes Georgian and Cyrillic letters'],
    ['\u0905-\u0C05', "mixes Devanagari and another script's letters"], // Telugu: not one named
    // Wholly one script, every letter a Latin one's double (whole-script confusables):
    ['\u043E\u0440\u0455', 'is written in Cyrillic letters that look like Latin: reads as ops'], // орѕ
    ['\u0440\u0430\u0443-01', 'is written in Cyrillic letters that look like Latin: reads as pay-01'], // рау-01
    ['\u041E\u0420\u0405', 'is written in Cyrillic letters that look like Latin: reads as OPS'], // ОРЅ
    ['\u03B1\u03C1\u03C1', 'is written in Greek letters that look like Latin: reads as app'], // αρρ
    ['\u03C1\u03BF\u0440', 'mixes Greek and Cyrillic letters; all look like Latin letters: reads as pop'], // ρο + р
    // A letter with no Latin double makes it read as what it is:
    ['\u0440\u0433-\u043C\u043E\u0441\u043A\u0432\u0430', undefined], // рг-москва
    ['\u043C\u043E\u0441\u043A\u0432\u0430', undefined], // москва: м к в are small capitals, not m k b
    ['\u043E\u0440\u0455\u0301', undefined], // орѕ́: the accent is no Latin letter's
    // Armenian, Cherokee and Lisu doubles, in a Latin name and wholly in their own script:
    ['rg-\u0585ps', 'mixes Latin and Armenian letters'], // Armenian small oh
    ['rg-\u13AApp', 'mixes Latin and Cherokee letters'], // Cherokee GO, a look-alike of A
    ['\u0570\u0585\u057D\u057D', 'is written in Armenian letters that look like Latin: reads as houu'], // հօսս
    ['\u054F\u0555\u054D', 'is written in Armenian letters that look like Latin: reads as SOU'], // ՏՕՍ
    ['\u13AA\u13E2\u13E2-01', 'is written in Cherokee letters that look like Latin: reads as APP-01'], // ᎪᏢᏢ
    ['\uA4D1\uA4E3\uA4F3\uA4D3', 'is written in Lisu letters that look like Latin: reads as PROD'], // ꓑꓣꓳꓓ
    ['\u0540\u0561\u0575\u0561\u057D\u057F\u0561\u0576', undefined], // Հայաստան: Armenian of its own
    ['\u0561\u0580\u0561\u0574', undefined], // արամ: ա is w only by way of ɯ, ր and մ are nobody's
    ['\u13A0\u13CD\u13A6', undefined], // ᎠᏍᎦ: Cherokee Ꮝ and Ꭶ look like no Latin letter
    ['\uAB8E\uAB7A\uABA2', undefined], // Cherokee small letters are small capitals: not read as Latin
    // Latin letters outside ASCII that pass for ASCII ones:
    ['rg-b\u0131lling', 'has letters that look like others (\u0131 for i)'], // Turkish dotless i
    ['rg-\u01C0ab-\u01A7-\u0131\u0131', 'has letters that look like others (\u01C0 for l, \u01A7 for 2, \u0131 for i)'],
    ['rg-stra\uA7B5e', 'has rare letters that look like ordinary ones'], // Latin small beta, a ß
    ['rg-\uA731ite', 'has rare letters that look like ordinary ones'], // small capital s
    ['rg-\uAB47oot', 'has phonetic letters that look like ordinary ones'], // r without handle (Latin Extended-E)
    ['rg-\u1D05ev', 'has phonetic letters that look like ordinary ones'], // small capital D
    ['rg-\u0251pp', 'has phonetic letters that look like ordinary ones'], // Latin alpha
    ['rg-\u2113ab', 'has special letter forms (plainly rg-lab)'], // script small l
    ['rg-\u017Fite', 'has special letter forms (plainly rg-site)'], // long s
    ['\uD835\uDDC9\uD835\uDDCB\uD835\uDDC8\uD835\uDDBD', 'has special letter forms (plainly prod)'], // 𝗉𝗋𝗈𝖽
    // Accented letters and letters of their own: how non-English names are spelt.
    ['\u00C9quipe', undefined],
    ['m\u00FCller-rg', undefined],
    ['rg-stra\u00DFe', undefined],
    ['\u00F8rsted-\u0142\u00F3d\u017A', undefined],
    ['rg-\u00E6r\u00F8-\u0111\u00FE', undefined],
  ])('%j: %s', (name, expected) => {
    expect(lookAlikeWarning(name)).toBe(expected);
  });
});
