/**
 * The cause kept (and logged) for a failed call on secrets keeps a Status cause's field only when
 * it is one of the fields of the secret acrbot writes: a data key in brackets, or any other path
 * a webhook or a faulty server chose to send, could carry the credential, and is dropped. On a
 * call that carries no secret (a service account's patch), a field path of the usual shape is kept.
 */
import { ApiException } from '@kubernetes/client-node';
import { explainKubeError } from '../../src/integrations/kubernetes/kube-errors';

const LEAK = 'Sentinel-Pw-3f9a7c1e';

/** A client-node ApiException as 1.x throws it: the Status body as raw response text. */
function invalid(field: string): ApiException<string> {
  const status = {
    kind: 'Status',
    code: 422,
    status: 'Failure',
    reason: 'Invalid',
    details: { causes: [{ reason: 'FieldValueInvalid', field }] },
  };
  return new ApiException(422, 'Unknown API Status Code!', JSON.stringify(status), {
    'content-type': 'application/json',
  });
}

const scope = { cluster: 'aks-prod', namespace: 'payments' };
const causeOf = (err: unknown) =>
  String((explainKubeError(err, { ...scope, verb: 'create', resource: 'secrets' }).cause as Error).message);

test('a secret call: a cause field outside the fields acrbot writes is dropped, the reason kept', () => {
  const message = causeOf(invalid(`data[${LEAK}]`));
  expect(message).not.toContain(LEAK);
  expect(message).toContain('422 Invalid');
  expect(message).toContain('causes: ? FieldValueInvalid');
});

test("a secret call: a field of acrbot's secret is kept", () => {
  expect(causeOf(invalid('data[.dockerconfigjson]'))).toContain('causes: data[.dockerconfigjson] FieldValueInvalid');
});

test('a service account call: a field path of the usual shape is kept', () => {
  const err = explainKubeError(invalid('imagePullSecrets[0].name'), {
    ...scope,
    verb: 'patch',
    resource: 'serviceaccounts',
  });
  expect(String((err.cause as Error).message)).toContain('causes: imagePullSecrets[0].name FieldValueInvalid');
});
