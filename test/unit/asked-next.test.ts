/**
 * The re-asks of the cluster and registry questions name only what is still asked: not the
 * registry the command gave (`grant contosoacr.azurecr.io`), and nothing when nothing is left.
 */
import { askedNext } from '../../src/domain/asked-next';
import { checkNameAnswer } from '../../src/domain/reason-reply';
import { registryForCluster } from '../../src/domain/swapped-names';

test('what follows each question, by what the command gave', () => {
  expect(askedNext('cluster')).toBe('the registry and the reason are asked next');
  expect(askedNext('cluster', { registry: true })).toBe('the reason is asked next');
  expect(askedNext('cluster', { registry: true, reason: true })).toBeUndefined();
  expect(askedNext('registry')).toBe('the reason is asked next');
  expect(askedNext('registry', { reason: true })).toBeUndefined();
});

test('nothing left to ask: the re-asks end at the name to type', () => {
  const given = { registry: true, reason: true };
  expect(() => checkNameAnswer('cluster', 'aks-prod contosoacr', given)).toThrow(
    'That is more than one name: this question takes one cluster (name, resourceGroup/name or resource id). Type just "aks-prod".',
  );
  expect(registryForCluster('contosoacr.azurecr.io', given)?.message).toBe(
    'Cluster first: "contosoacr.azurecr.io" reads as a registry; this question takes the cluster (name, resourceGroup/name or resource id).',
  );
});

test('no registry given: the cluster re-asks say the registry comes next, as before', () => {
  expect(() => checkNameAnswer('cluster', 'aks-prod contosoacr')).toThrow(
    'Type just "aks-prod"; the registry and the reason are asked next.',
  );
  expect(registryForCluster('contosoacr.azurecr.io')?.message).toContain('and the registry is asked next.');
});
