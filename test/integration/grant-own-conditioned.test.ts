/**
 * acrbot's own grant whose role assignment was given a condition outside acrbot (an ABAC limit
 * to some repositories), end to end through the sandbox: `check` asks the registry's owners to
 * lift the condition, `grant` of the pair is refused saying the assignment is acrbot's own (not
 * "made outside acrbot"), and once the condition is gone asking again makes a request. Shared
 * steps: test/helpers/lifecycle.ts.
 */
import { users } from '../helpers/harness';
import { assignmentsOn, contosoId, grant, h, start, useLifecycleHooks } from '../helpers/lifecycle';

const CONDITION =
  "((!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'})) OR (@Resource[Microsoft.ContainerRegistry/registries/repositories:name] StringStartsWithIgnoreCase 'team-a/'))";

describe("a condition set outside acrbot on acrbot's own assignment", () => {
  useLifecycleHooks();

  test("check asks the owners to lift it; grant is refused as acrbot's own; asked again once it is lifted", async () => {
    await start();
    const granted = await grant(users.requester, 'aks-prod contosoacr deploy payments --for 3d');
    if (granted.plan.kind !== 'grant') throw new Error('a grant was planned');
    const name = granted.plan.roleAssignmentName.toLowerCase();
    const own = assignmentsOn(contosoId).find((a) => a.name.toLowerCase() === name);
    if (!own) throw new Error("acrbot's assignment is in the sandbox");
    own.condition = CONDITION;
    own.conditionVersion = '2.0';

    const checked = await h.ask(users.requester, 'check aks-prod contosoacr');
    expect(checked).toContain(granted.id);
    expect(checked).toContain("ask the registry's owners to remove or widen the condition");
    expect(checked).not.toContain('@acrbot grant');

    const refused = await h.ask(users.requester, 'grant aks-prod contosoacr --for 3d deploy payments, again');
    expect(refused).toContain('Could not plan the grant');
    expect(refused).not.toContain('made outside acrbot');
    expect(refused).toContain("through acrbot's own assignment for this pair");
    expect(refused).toContain("Ask the registry's owners to remove or widen that condition, then ask again");
    expect(refused).toContain('@acrbot check aks-prod contosoacr names the acrbot request');

    // The owners lift it: the grant (drifted, not extended) is overlapped by a new request.
    own.condition = null;
    own.conditionVersion = null;
    const again = await h.ask(users.requester, 'grant aks-prod contosoacr --for 3d deploy payments, again');
    expect(again).toContain('Pending approval');
  });
});
