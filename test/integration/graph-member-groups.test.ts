/**
 * `GraphDirectory.memberGroupsAmong` against the Graph emulator: several groups in one
 * `checkMemberGroups` call, the answer the ids the object is a transitive member of (as Graph
 * answers), more than 20 asked 20 a call, and an unknown object a member of nothing.
 */
import type { GraphClient } from '../../src/integrations/graph/graph-client';
import { GraphDirectory } from '../../src/integrations/graph/graph-directory';
import { SANDBOX_APPROVER_GROUP_ID, SANDBOX_CLUSTERS, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import type { Sandbox } from '../../src/sandbox/sandbox';
import { useSandboxGraph } from '../helpers/sandbox-graph';

let sandbox: Sandbox;
let directory: GraphDirectory;
useSandboxGraph((env: { sandbox: Sandbox; graph: GraphClient }) => {
  sandbox = env.sandbox;
  directory = new GraphDirectory(env.graph);
});

const group = (n: number) => `0c000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const KUBELET = SANDBOX_CLUSTERS.prod.kubeletObjectId;

beforeAll(() => {
  // 25 groups: the kubelet identity is in group 3 directly and in group 22 through group 7.
  for (let n = 1; n <= 25; n++) sandbox.directory.addGroup({ id: group(n), displayName: `pull ${n}` });
  sandbox.directory.addGroupMember(group(3), KUBELET);
  sandbox.directory.addGroupMember(group(7), KUBELET);
  sandbox.directory.addGroupMember(group(22), group(7));
});

const checks = () => sandbox.graph.requests.filter((r) => r.operation === 'directoryObjects.checkMemberGroups');

test('several groups in one call: the ones the object is a transitive member of', async () => {
  const asked = [group(1), group(3), SANDBOX_APPROVER_GROUP_ID, group(22)];
  await expect(directory.memberGroupsAmong(KUBELET, asked)).resolves.toEqual([group(3), group(22)]);
  await expect(
    directory.memberGroupsAmong(SANDBOX_USERS.approver.objectId, [group(3), SANDBOX_APPROVER_GROUP_ID]),
  ).resolves.toEqual([SANDBOX_APPROVER_GROUP_ID]);
  expect(checks()).toHaveLength(2);
});

test('more than 20 groups are asked 20 a call', async () => {
  const all = Array.from({ length: 25 }, (_, i) => group(i + 1));
  await expect(directory.memberGroupsAmong(KUBELET, all)).resolves.toEqual([group(3), group(7), group(22)]);
  expect(checks()).toHaveLength(2);
});

test('an object Graph does not know is in no group; the single check answers as before', async () => {
  await expect(directory.memberGroupsAmong('0d000000-0000-4000-8000-0000000000ff', [group(3)])).resolves.toEqual([]);
  await expect(directory.isMemberOfGroup(KUBELET, group(3))).resolves.toBe(true);
  await expect(directory.isMemberOfGroup(KUBELET, group(1))).resolves.toBe(false);
});
