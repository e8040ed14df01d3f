/**
 * The `request.created` entry's clause for what already gave the cluster pull (`pullsThrough`):
 * ids only, for grants (overlap) and pull secrets alike; nothing when none was recorded.
 */
import { createdDetail } from '../../src/domain/audit-request-words';
import { pullsThroughWords } from '../../src/domain/pulls-through';
import { pendingRequest, secretPlan } from './support/requests';

const OUTSIDE =
  '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contosoacr/providers/Microsoft.Authorization/roleAssignments/ra-1';

describe('request.created names what already gave the pull, by id', () => {
  test('a grant on an assignment others hold: their ids, not their names or ends', () => {
    const request = pendingRequest({
      pullsThrough: [
        { requestId: 'R-AAAA1111', requester: 'Sam Second', until: '2025-01-20T09:00:00.000Z' },
        { granting: true },
      ],
    });
    const detail = createdDetail(request);
    expect(detail).toContain(
      '; the cluster already pulled through R-AAAA1111, a request of another tenant (being granted):',
    );
    expect(detail).not.toContain('Sam Second');
    expect(detail).not.toContain('2025-01-20');
  });

  test('a pull secret: the grant and the assignment outside acrbot, by their ids', () => {
    const request = pendingRequest({
      plan: secretPlan(),
      pullsThrough: [{ requestId: 'R-AAAA1111', requester: 'Sam Second' }, { roleAssignmentId: OUTSIDE }],
    });
    expect(createdDetail(request)).toContain(
      `the cluster already pulled through R-AAAA1111, role assignment ${OUTSIDE} (outside acrbot):`,
    );
    // The card's words are a secret's: the kubelet pulls without it, not "approving keeps".
    const words = pullsThroughWords(request) ?? '';
    expect(words).toContain("the cluster's kubelet identity already pulled from");
    expect(words).toContain('role assignment ra-1, which no acrbot grant holds (made outside acrbot');
    expect(words).not.toContain('another cluster');
    expect(words).not.toContain('Approving keeps');
  });

  test('none recorded: no clause', () => {
    expect(createdDetail(pendingRequest())).not.toContain('already pulled');
  });
});
