/**
 * AKS cluster names and Kubernetes namespaces start and end with a letter or digit (`-` and `_`
 * only between them): a pattern whose first or last character is a literal `-` or `_` fits no
 * such name and is refused at its line and column, as other patterns no name could fit are. A
 * `*` or `?` at that end can still be a letter or digit, so such patterns load.
 */
import { parsePolicy } from '../../src/config/policy-file';
import { checkClusterName } from '../../src/domain/names';
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

  test('other names may end as they hold: resource groups and registries are not checked this way', () => {
    expect(parsePolicy(matching('resourceGroup: "-rg_(x)"'), 'p.yaml').rules[0].match.resourceGroup).toEqual([
      '-rg_(x)',
    ]);
  });
});
