/**
 * The plan-time check of a pull secret's target: a namespace going away is said so ("was being
 * deleted"), and an explained refusal whose code says nothing of the target (a user-facing error
 * of another code) is the run's to meet: planned without it, and no warn line.
 */
import { UserFacingError } from '../../src/domain/errors';
import type { ClusterAccess } from '../../src/domain/ports';
import { checkSecretTarget } from '../../src/flows/secret-target-check';
import { secretPlan } from './support/requests';

const AT = '2026-12-06T09:00:00.000Z';
const plan = secretPlan();
const target = { namespace: 'payments', secretName: 'acr-auth', serviceAccount: 'default' };

function refusing(err: Error) {
  return {
    access: async () => ({}) as ClusterAccess,
    precheck: async () => {
      throw err;
    },
  };
}

test('a namespace being deleted: said so, as of the check', async () => {
  const warn = jest.fn();
  const seen = await checkSecretTarget(
    refusing(new UserFacingError('kubernetes.namespaceTerminating', 'terminating')),
    plan.cluster,
    target,
    AT,
    { warn },
  );
  expect(seen).toEqual({
    at: AT,
    missing: `At ${AT} namespace payments of cluster ${plan.cluster.name} was being deleted, which cannot be undone: unless it is gone and created again before approving, the run will fail.`,
  });
  expect(warn).not.toHaveBeenCalled();
});

test('a user-facing refusal of another code: planned without it, no warn line; an unexplained one is logged', async () => {
  const warn = jest.fn();
  const other = await checkSecretTarget(
    refusing(new UserFacingError('kubernetes.forbidden', 'forbidden')),
    plan.cluster,
    target,
    AT,
    { warn },
  );
  expect(other).toEqual({ at: AT });
  expect(warn).not.toHaveBeenCalled();
  await checkSecretTarget(refusing(new Error('boom')), plan.cluster, target, AT, { warn });
  expect(warn).toHaveBeenCalledTimes(1);
});
