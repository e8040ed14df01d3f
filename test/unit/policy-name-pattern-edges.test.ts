/**
 * AKS cluster names and Kubernetes namespaces start and end with a letter or digit (`-` and `_`
 * only between them): a pattern whose first or last character is a literal `-` or `_` fits no
 * such name and is refused at its line and column, as other patterns no name could fit are. A
 * `*` or `?` at that end can still be a letter or digit, so such patterns load. Resource group
 * names may hold `.` anywhere but at the end: a pattern ending in a literal `.` is refused too.
 */
import { parsePolicy } from '../../src/config/policy-file';
import { checkClusterName, checkResourceGroup } from '../../src/domain/names';
import { matching } from './support/policy-matching';
import { problemsOf } from './support/policy-refusals';

describe('policy file: name patterns starting or ending where no name can', () => {
  test('a literal - or _ at the start or end of a cluster pattern is refused, with what to write', () => {
    expect(problemsOf(matching('cluster: "-aks*"'))).toEqual([
      '5:16 rules[0].match.cluster: "-aks*" starts with "-", and a cluster name starts with a letter or digit, ' +
        'so it never fits; write aks*, or *aks* if any characters may come before it',
    ]);
    expect(problemsOf(matching('cluster: [aks-dev, "*aks-", _aks, aks_]'))).toEqual([
      '5:26 rules[0].match.cluster[1]: "*aks-" ends with "-", and a cluster name ends with a letter or digit, ' +
        'so it never fits; write *aks, or *aks* if any characters may come after it',
      '5:35 rules[0].match.cluster[2]: "_aks" starts with "_", and a cluster name starts with a letter or digit, ' +
        'so it never fits; write aks, or *aks if any characters may come before it',
      '5:41 rules[0].match.cluster[3]: "aks_" ends with "_", and a cluster name ends with a letter or digit, ' +
        'so it never fits; write aks, or aks* if any characters may come after it',
    ]);
    expect(problemsOf(matching('cluster: "-"'))).toEqual([
      '5:16 rules[0].match.cluster: "-" starts with "-", and a cluster name starts with a letter or digit, ' +
        'so it never fits; write a name',
    ]);
  });

  test('the same for namespaces, which are DNS labels', () => {
    expect(problemsOf(matching('namespace: "team-"'))).toEqual([
      '5:18 rules[0].match.namespace: "team-" ends with "-", and a namespace name ends with a letter or digit, ' +
        'so it never fits; write team, or team* if any characters may come after it',
    ]);
  });

  test('a resource group pattern ending in a literal "." is refused: no resource group name ends in one', () => {
    expect(problemsOf(matching('resourceGroup: "rg-prod."'))).toEqual([
      '5:22 rules[0].match.resourceGroup: "rg-prod." ends with ".", and a resource group name ends with a character ' +
        'other than ".", so it never fits; write rg-prod, or rg-prod* if any characters may come after it',
    ]);
    expect(problemsOf(matching('clusterResourceGroup: [rg-a, "*.", "rg.."]'))).toEqual([
      '5:36 rules[0].match.clusterResourceGroup[1]: "*." ends with ".", and a resource group name ends with a ' +
        'character other than ".", so it never fits; write *',
      '5:42 rules[0].match.clusterResourceGroup[2]: "rg.." ends with ".", and a resource group name ends with a ' +
        'character other than ".", so it never fits; write rg, or rg* if any characters may come after it',
    ]);
    // A `.` at the start or inside, or a `*` or `?` after the last one, still fits names.
    for (const pattern of ['.rg', 'rg.prod', 'rg.*', 'rg.?', '(rg).x'])
      expect(parsePolicy(matching(`resourceGroup: "${pattern}"`), 'p.yaml').rules[0].match.resourceGroup).toEqual([
        pattern,
      ]);
    // As the resource group validator has it.
    for (const name of ['rg.', 'rg-prod.', '.']) expect(() => checkResourceGroup(name)).toThrow('not ending in "."');
    for (const name of ['.rg', 'rg.prod', '(rg).x']) expect(checkResourceGroup(name)).toBe(name);
  });

  test('a * or ? at that end, or - and _ inside, still fit names, and load', () => {
    for (const pattern of ['*-aks', 'aks-*', '?-aks-?', '*_*', 'aks_prod', '?'])
      expect(parsePolicy(matching(`cluster: "${pattern}"`), 'p.yaml').rules[0].match.cluster).toEqual([pattern]);
    for (const pattern of ['*-team', 'team-?', 'a-b'])
      expect(parsePolicy(matching(`namespace: "${pattern}"`), 'p.yaml').rules[0].match.namespace).toEqual([pattern]);
  });

  test('what is refused, the cluster validator refuses: no valid name starts or ends with - or _', () => {
    for (const name of ['-aks', 'aks-', '_aks', 'aks_', '-'])
      expect(() => checkClusterName(name)).toThrow('starting and ending with a letter or digit');
    for (const name of ['a', 'a-b', 'a_b', 'x-aks']) expect(checkClusterName(name)).toBe(name);
  });

  test('other names may start as they hold: resource groups and registries are not checked this way', () => {
    expect(parsePolicy(matching('resourceGroup: "-rg_(x)"'), 'p.yaml').rules[0].match.resourceGroup).toEqual([
      '-rg_(x)',
    ]);
  });
});
