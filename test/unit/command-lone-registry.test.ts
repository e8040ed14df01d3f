/**
 * `grant contosoacr.azurecr.io` (a registry's login server alone, as people copy it from an image
 * name) starts the questions with the registry filled in, not a refusal of the login server as a
 * cluster's name. Only a word that can be no cluster moves: a plain name (`contosoacr`) can be
 * either and stays the cluster, as typed.
 */
import { parseCommand } from '../../src/domain/command';

const REGISTRY_ID =
  '/subscriptions/1f0c0000-0000-4000-8000-000000000001/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr';

test.each(['contosoacr.azurecr.io', 'https://contosoacr.azurecr.io', REGISTRY_ID])(
  'grant %s alone: the registry, the cluster left to ask',
  (word) => {
    expect(parseCommand(`grant ${word}`)).toEqual({ verb: 'grant', registry: word });
    expect(parseCommand(`grant ${word} --for 2h`)).toEqual({ verb: 'grant', registry: word, duration: '2h' });
  },
);

test('a secret too, its options kept', () => {
  expect(parseCommand('secret contosoacr.azurecr.io --namespace payments')).toEqual({
    verb: 'secret',
    registry: 'contosoacr.azurecr.io',
    options: { namespace: 'payments' },
  });
});

test("a login server on an ACR domain that is no registry's is the registry too, for its rule to refuse", () => {
  expect(parseCommand('grant bad_x.azurecr.io')).toEqual({ verb: 'grant', registry: 'bad_x.azurecr.io' });
});

test('a name either could be stays the cluster, and a login server with more words is read as before', () => {
  expect(parseCommand('grant contosoacr')).toEqual({ verb: 'grant', cluster: 'contosoacr' });
  expect(parseCommand('grant aks-prod')).toEqual({ verb: 'grant', cluster: 'aks-prod' });
  expect(() => parseCommand('grant contosoacr.azurecr.io aks-prod')).toThrow(/^Cluster first: grant aks-prod/);
});
