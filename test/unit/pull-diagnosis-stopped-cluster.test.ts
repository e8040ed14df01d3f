/**
 * `check` on a stopped cluster (`powerState.code` Stopped): its pods cannot pull until it is
 * started, which the answer says with the command, while its roles are judged as for a running
 * one (a grant needs no running cluster, and holds once it is started).
 */
import { diagnosePull } from '../../src/domain/pull-diagnosis';
import { cluster, identity, NOW, registry } from './support/pull-diagnosis-fixtures';

describe('check on a stopped cluster', () => {
  test('a warning with how to start it; the rest judged as before', () => {
    const running = diagnosePull({ cluster, registry, identity, now: NOW });
    const stopped = diagnosePull({ cluster, registry, identity, powerState: 'Stopped', now: NOW });
    expect(stopped.findings).toContainEqual({
      topic: 'cluster',
      level: 'warn',
      text: `${cluster.name} is stopped (its power state is Stopped): its pods cannot pull until it is started (az aks start --subscription ${cluster.subscriptionId} -g ${cluster.resourceGroup} -n ${cluster.name}); what follows holds once it runs.`,
    });
    expect(stopped.findings.filter((f) => f.topic !== 'cluster')).toEqual(running.findings);
    expect({ verdict: stopped.verdict, fix: stopped.fix, canPull: stopped.canPull }).toEqual({
      verdict: running.verdict,
      fix: running.fix,
      canPull: running.canPull,
    });
  });

  test('running, or a power state ARM did not give: no such finding', () => {
    for (const powerState of ['Running', 'unknown', undefined] as const)
      expect(
        diagnosePull({ cluster, registry, identity, powerState, now: NOW }).findings.some((f) => f.topic === 'cluster'),
      ).toBe(false);
  });
});
