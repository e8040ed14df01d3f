/**
 * Access granted outside acrbot says when and by whom Azure made it (`properties.createdOn`,
 * `properties.createdBy`), on the `access` card, in `check`'s card and in the tab's row and CSV: in an incident the
 * question is "how did they get it?", and for a role assignment acrbot did not make, Azure's
 * record is the only answer. `createdBy` is Azure's text: cleaned, and inert on the card.
 */
import type { AccessCell, InventoryCluster, InventoryRegistry, PullPath } from '../../src/domain/access-inventory';
import { cellOf } from '../../src/domain/access-inventory';
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import { roleAssignmentName } from '../../src/domain/identifiers';
import { outsideGrantFacts, outsideGrantText } from '../../src/domain/outside-grant';
import { diagnosePull, originText } from '../../src/domain/pull-diagnosis';
import { roleAssignmentFromWire } from '../../src/integrations/azure/arm-wire';
import { matrixRows } from '../../src/tab/tab-rows';
import { checkCard, clusterAccessCard, pathLine } from '../../src/views/access-view';
import type { Row } from '../../web/src/types';
import { assignmentPath } from '../../src/domain/role-assignment-path';
import { ACR_PULL } from './support/pull-diagnosis-fixtures';
import { CLUSTER_ID, grantPlan, REGISTRY_ID, SUB } from './support/requests';

// Loaded with require(): csv.ts also offers the download, which needs the DOM lib.
const { EXPORT_COLUMNS, rowsCsv } = require('../../web/src/csv') as {
  EXPORT_COLUMNS: readonly string[];
  rowsCsv(rows: readonly Row[]): string;
};

const NOW = '2025-01-15T10:00:00.000Z';
const OID = '0a000000-0000-4000-8000-00000000abcd';
const registry = grantPlan().registry as InventoryRegistry;
const cluster: InventoryCluster = { id: CLUSTER_ID, name: 'aks-prod', subscriptionId: SUB, resourceGroup: 'rg-aks' };
const GROUP_SCOPE = `/subscriptions/${SUB}/resourceGroups/rg-acr`;
const ASSIGNMENT_ID = `${GROUP_SCOPE}/providers/Microsoft.Authorization/roleAssignments/11111111-2222-3333-4444-555555555555`;

const outsidePath: PullPath = {
  kind: 'roleAssignment',
  assignmentId: ASSIGNMENT_ID,
  roleGuid: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
  roleName: 'AcrPull',
  scope: GROUP_SCOPE,
  scopeLevel: 'resourceGroup',
  conditional: false,
  honoured: true,
  origin: 'outside',
  requests: [],
  state: 'active',
};
const listed = (over: Partial<RoleAssignmentInfo> = {}): RoleAssignmentInfo => ({
  // ARM's ids vary in case: matched case-insensitively.
  id: ASSIGNMENT_ID.toUpperCase(),
  name: '11111111-2222-3333-4444-555555555555',
  scope: GROUP_SCOPE,
  roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d',
  principalId: 'p',
  createdOn: '2024-11-03T08:15:42.1234567Z',
  createdBy: OID,
  ...over,
});
const cellWith = (path: PullPath): AccessCell => cellOf(cluster, registry, [path]);

/** The listings as the path builder judges them (role-assignment-path.ts), no request behind any, in one cell. */
function judged(...listings: RoleAssignmentInfo[]): AccessCell {
  const noRequest = () => {
    throw new Error('no request behind these assignments');
  };
  const roles = new Map([[ACR_PULL.guid, ACR_PULL]]);
  const paths = listings.map((a) => assignmentPath(a, registry, undefined, [], [], roles, noRequest)!.path);
  return cellOf(cluster, registry, paths);
}

describe("Azure's createdOn and createdBy", () => {
  test('ARM wire: both read when given; null or empty leaves them out', () => {
    const wire = (createdBy: string | null) =>
      roleAssignmentFromWire({
        id: ASSIGNMENT_ID,
        name: 'n',
        properties: { scope: GROUP_SCOPE, roleDefinitionId: 'r', principalId: 'p', createdOn: NOW, createdBy },
      });
    expect(wire(OID)).toMatchObject({ createdOn: NOW, createdBy: OID });
    expect(wire(null)).not.toHaveProperty('createdBy');
    expect(wire('')).not.toHaveProperty('createdBy');
  });

  test('what can be shown: an ISO time, an id without control characters and not too long', () => {
    expect(outsideGrantFacts(listed())).toEqual({ on: '2024-11-03T08:15:42.1234567Z', by: OID });
    expect(outsideGrantFacts(listed({ createdOn: 'yesterday' }))).toEqual({ by: OID });
    expect(outsideGrantFacts(listed({ createdBy: `${OID}\r\n\u0007x` }))?.by).toBe(`${OID} x`);
    expect(outsideGrantFacts(listed({ createdBy: 'x'.repeat(200) }))?.by).toHaveLength(64);
    expect(outsideGrantFacts(listed({ createdOn: undefined, createdBy: undefined }))).toBeUndefined();
  });

  test('only assignments made outside acrbot carry them, matched by id in the listing', () => {
    // Under acrbot's name: not outside acrbot (acrbot-named.ts), so Azure's record is not shown as its origin.
    const named = roleAssignmentName(GROUP_SCOPE, 'p', ACR_PULL.guid);
    const acrbot = listed({
      id: `${GROUP_SCOPE}/providers/Microsoft.Authorization/roleAssignments/${named}`,
      name: named,
    });
    const cell = judged(listed(), acrbot);
    expect(cell.paths[0]).toMatchObject({
      origin: 'outside',
      madeOutside: { on: '2024-11-03T08:15:42.1234567Z', by: OID },
    });
    expect(cell.paths[1]).toMatchObject({ origin: 'acrbotNamed' });
    expect(cell.paths[1]).not.toHaveProperty('madeOutside');
    // Azure's listing says nothing of it: as before.
    const unlisted = judged(listed({ createdOn: undefined, createdBy: undefined }));
    expect(unlisted.paths[0]).not.toHaveProperty('madeOutside');
  });

  test('the words: when and by whom, either left out when Azure said nothing of it', () => {
    expect(outsideGrantText({ madeOutside: { on: '2024-11-03T08:15:42Z', by: OID } })).toBe(
      `granted outside acrbot on 2024-11-03 08:15 UTC by object id ${OID}`,
    );
    expect(outsideGrantText({ madeOutside: { by: OID } })).toBe(`granted outside acrbot by object id ${OID}`);
    expect(outsideGrantText({})).toBe('granted outside acrbot');
  });
});

describe('shown on the access card and in the tab', () => {
  const cell = judged(listed());
  const words = `granted outside acrbot on 2024-11-03 08:15 UTC by object id ${OID}`;

  test('the access card line', () => {
    const card = JSON.stringify(clusterAccessCard({ cluster, cells: [cell], generatedAt: NOW }, false));
    expect(card).toContain(`AcrPull on resource group rg-acr — ${words}`);
  });

  test('createdBy is user text on the card: a link in it is broken up', () => {
    const hostile = judged(listed({ createdBy: '[click](https://evil.example)' }));
    const line = pathLine(hostile.paths[0]!, registry.resourceGroup, SUB);
    expect(line).not.toContain('](');
    expect(line).not.toContain('https://');
  });

  test("the tab's row says it in howText, and the CSV in its detail column; the columns are as they were", () => {
    const [row] = matrixRows({
      clusters: [cluster],
      registries: [registry],
      cells: [cell],
      unresolvedClusters: [],
      generatedAt: NOW,
    });
    expect(row).toMatchObject({ how: 'outside-role', howText: `AcrPull role on its resource group, ${words}` });
    const csv = rowsCsv([row as Row]);
    const [header, line] = csv.split('\r\n');
    expect(header).toBe(EXPORT_COLUMNS.join(','));
    // The detail column is quoted (it holds a comma), right after `how`.
    expect(line).toContain(`,outside-role,"AcrPull role on its resource group, ${words}",active,`);
  });
});

describe("check's card, in the words of access", () => {
  const diagnosis = (cell: AccessCell) =>
    diagnosePull({ cluster, registry, identity: grantPlan().identity, cell, now: new Date(NOW) });
  const roleFinding = (cell: AccessCell) => diagnosis(cell).findings.find((f) => f.topic === 'role')?.text;

  test('its origin says when and by whom, as access does; without what Azure said, as before', () => {
    const cell = judged(listed());
    expect(originText(cell.paths[0]!)).toBe(`granted outside acrbot on 2024-11-03 08:15 UTC by object id ${OID}`);
    expect(roleFinding(cell)).toBe(
      `AcrPull on its resource group: granted outside acrbot on 2024-11-03 08:15 UTC by object id ${OID}.`,
    );
    expect(roleFinding(cellWith(outsidePath))).toBe('AcrPull on its resource group: granted outside acrbot.');
  });

  test('createdBy is user text on the check card: a link in it is broken up', () => {
    const hostile = judged(listed({ createdBy: '[click](https://evil.example)' }));
    const card = JSON.stringify(checkCard(diagnosis(hostile), false));
    expect(card).toContain('granted outside acrbot on 2024-11-03 08:15 UTC by object id [click]');
    expect(card).not.toContain('](');
    expect(card).not.toContain('https://evil');
  });
});
