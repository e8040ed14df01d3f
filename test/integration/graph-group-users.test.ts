/**
 * `GraphDirectory.groupUserIds` against the Graph emulator over HTTPS: a group's transitive user
 * members (people only, nested groups flattened), at most as many as asked for, pages followed
 * only as far as needed; nobody for an unknown group or an id that is no GUID; Graph's error,
 * with its request id, for anything else.
 */
import type { GraphClient } from '../../src/integrations/graph/graph-client';
import { GraphDirectory } from '../../src/integrations/graph/graph-directory';
import { GraphError } from '../../src/integrations/graph/graph-failure';
import { quorumOutOfReach, type PolicyRule } from '../../src/domain/policy';
import { readApproverGroups } from '../../src/flows/approver-groups-read';
import type { Sandbox } from '../../src/sandbox/sandbox';
import { LogCapture } from '../helpers/log-capture';
import { useSandboxGraph } from '../helpers/sandbox-graph';

let sandbox: Sandbox;
let graph: GraphClient;
let directory: GraphDirectory;

const id = (n: number) => `0c000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const OUTER = id(101);
const INNER = id(102);
const [ANNA, BEN, CARA] = [id(111), id(112), id(113)];
const ROBOT = id(121);
const TEAM = id(103);
const [REQUESTER, GONE] = [id(114), id(115)];

useSandboxGraph((started) => {
  ({ sandbox, graph } = started);
  directory = new GraphDirectory(graph);
  for (const [user, name] of [
    [ANNA, 'Anna'],
    [BEN, 'Ben'],
    [CARA, 'Cara'],
  ] as const)
    sandbox.directory.addUser({ id: user, displayName: name });
  sandbox.directory.addServicePrincipal({ id: ROBOT, appId: id(122), displayName: 'robot' });
  sandbox.directory.addGroup({ id: INNER, displayName: 'inner', members: [ROBOT, BEN, CARA] });
  sandbox.directory.addGroup({ id: OUTER, displayName: 'outer', members: [ANNA, INNER] });
  sandbox.directory.addUser({ id: REQUESTER, displayName: 'Requester' });
  sandbox.directory.addUser({ id: GONE, displayName: 'Left the company', accountEnabled: false });
  sandbox.directory.addGroup({ id: TEAM, displayName: 'team', members: [REQUESTER, GONE] });
});

const reads = () => sandbox.graph.requests.filter((r) => r.operation === 'groups.transitiveMembers');

describe('GraphDirectory.groupUserIds', () => {
  test('the people of a group, nested groups flattened, without service principals or groups; at most as asked, in one read', async () => {
    await expect(directory.groupUserIds(OUTER, 10)).resolves.toEqual([ANNA, BEN, CARA]);
    await expect(directory.groupUserIds(OUTER, 2)).resolves.toEqual([ANNA, BEN]);
    expect(reads().map((r) => r.status)).toEqual([200, 200]);
  });

  test('pages are followed only until enough are found', async () => {
    const path = `/groups/${OUTER}/transitiveMembers/microsoft.graph.user?$select=id&$top=1&$count=true`;
    const headers = { ConsistencyLevel: 'eventual' };
    await expect(graph.listAll<{ id: string }>(path, { atMost: 2, headers })).resolves.toEqual([
      { id: ANNA },
      { id: BEN },
    ]);
    expect(reads()).toHaveLength(2);
    // Without a bound, to the end (three pages of one).
    await expect(graph.listAll<{ id: string }>(path, { headers })).resolves.toHaveLength(3);
    expect(reads()).toHaveLength(5);
  });

  test('an unknown group holds nobody (404), said in a warning naming it; an id that is no GUID holds nobody, without a call', async () => {
    const logs = new LogCapture();
    await expect(new GraphDirectory(graph, logs.logger()).groupUserIds(id(199), 3)).resolves.toEqual([]);
    expect(reads().map((r) => r.status)).toEqual([404]);
    // A deleted approver group is not taken silently for an empty one.
    expect(logs.entries()).toEqual([
      expect.objectContaining({
        level: 40,
        groupId: id(199),
        msg: 'an approver group is not in the directory (deleted?); it counts as nobody: fix the policy',
      }),
    ]);
    await expect(directory.groupUserIds('platform-approvers', 3)).resolves.toEqual([]);
    expect(reads()).toHaveLength(1);
  });

  test('any other failure is Graph’s error, with its status, code and request id', async () => {
    sandbox.graph.faults.add({ operation: 'groups.transitiveMembers', status: 403, count: 1 });
    const err = await directory.groupUserIds(OUTER, 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphError);
    const [answered] = reads();
    expect(err).toMatchObject({ status: 403, code: 'Authorization_RequestDenied', requestId: answered!.requestId });
  });

  test('a disabled account is nobody who could approve: a rule whose only other approver is one is out of reach', async () => {
    await expect(directory.groupUserIds(TEAM, 10)).resolves.toEqual([REQUESTER]);
    const rule: PolicyRule = {
      id: 'team',
      match: {},
      approvers: { users: [], groups: [TEAM], name: 'Team' },
      approvalsRequired: 1,
      approverJustification: 'optional',
    };
    const requester = { objectId: REQUESTER, name: 'Requester' } as Parameters<typeof readApproverGroups>[2];
    const reads = await readApproverGroups(directory, rule, requester, 1);
    expect(quorumOutOfReach(rule, requester, reads)).toMatch(/hold nobody else/);
  });
});
