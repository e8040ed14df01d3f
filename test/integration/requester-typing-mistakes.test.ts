/**
 * A requester's typing mistakes, through the real app (sandbox mode), each answered with what was
 * wrong: a malformed login server after `access` by the registry's rule (not a cluster's); the
 * `--name NEW-NAME` of a suggested command pasted as it is, as the placeholder it is; a mistyped
 * id after `extend` quoted as typed; a request id without its dash in answer to the reason
 * question, as the command it is, while a dashless word like a mistyped id ("release2") stays a
 * word of the reason; and `access` alone of the asker's tenant only, what they hold
 * as well as what they wait for.
 */
import { SANDBOX_TENANT_ID } from '../../src/sandbox/fixtures';
import { askAgainCommand } from '../../src/views/ask-again-command';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { personalMessage, postActivity, type TeamsUser } from '../helpers/teams-activities';
import { OTHER_TENANT } from '../helpers/tenant-b';

/** Both tenants served: the boundary between them (as in chat-tenants.test.ts). */
const TWO_TENANTS = {
  ACRBOT_ALLOWED_TENANTS: `${SANDBOX_TENANT_ID},${OTHER_TENANT}`,
  ACRBOT_REQUESTS_PER_MINUTE: '1000',
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness(TWO_TENANTS);
});
afterAll(async () => {
  await h?.stop();
});

/** Says `text` in a chat with acrbot from `tenantId`; the texts of everything acrbot answered in that turn. */
async function answers(user: TeamsUser, text: string, tenantId = SANDBOX_TENANT_ID): Promise<string> {
  const before = h.connector.calls.length;
  const res = await postActivity(h.app.url, personalMessage(user, text, { serviceUrl: h.serviceUrl, tenantId }));
  expect(res.status).toBe(200);
  return h.connector.calls
    .slice(before)
    .map((c) => cardText(c.activity))
    .join('\n');
}

const allRequestIds = async () =>
  (await h.app.store.listByState(['pending', 'approved', 'executing', 'succeeded', 'cancelled'], 1000)).map(
    (r) => r.id,
  );

describe('access with a malformed login server', () => {
  test.each([
    'bad_x.azurecr.io',
    'acr1.azurecr.io',
    'bad_x.azurecr.cn',
    'acr1.azurecr.us',
    'https://bad_x.azurecr.io/payments/api:1.0',
  ])('access %s: refused by what a login server may be, not by the cluster rule', async (typed) => {
    const reply = await answers(users.approver, `access ${typed}`);
    expect(reply).toContain('is not a valid registry login server');
    expect(reply).toContain('e.g. contosoacr.azurecr.io');
    expect(reply).not.toMatch(/cluster name|aks-prod|Neither a cluster/);
  });

  test('a well-formed one is still that registry, and a bare cluster name still a cluster', async () => {
    expect(await answers(users.approver, 'access contosoacr.azurecr.io')).toContain('Who can pull from contosoacr');
    expect(await answers(users.approver, 'access aks-prod')).not.toMatch(/not a valid/);
  });

  test('a malformed registry name names the login server as a form a registry may be given in', async () => {
    const reply = await answers(users.approver, 'access registry bad_x');
    expect(reply).toContain('is not a valid registry name');
    expect(reply).toContain('its login server (NAME.azurecr.io, e.g. contosoacr.azurecr.io)');
  });
});

test('--name NEW-NAME pasted from the suggested command: a placeholder to replace, nothing requested', async () => {
  const secret = await h.requestSecret(
    users.requester,
    'aks-prod contosoacr --namespace payments --name acr-auth --for 30d deploy payments-api',
  );
  // The command a failed run's card suggests when the name was taken by a secret acrbot may not overwrite.
  const suggested = askAgainCommand({
    ...secret,
    outcome: { summary: 'Failed', azureRequestIds: [], error: 'taken', errorCode: 'kubernetes.foreignSecret' },
  });
  expect(suggested).toContain('--name NEW-NAME');
  const before = await allRequestIds();
  const reply = await answers(users.requester, suggested.replace(/^@acrbot /, ''));
  expect(reply).toContain('NEW-NAME after --name is a placeholder: replace it with a new name for the secret');
  expect(reply).toContain('e.g. --name acr-auth-2');
  expect(reply).toContain('Nothing was requested.');
  expect(reply).not.toMatch(/not a valid secret name/);
  expect(await allRequestIds()).toEqual(before);
  // With a name and a reason in place of the placeholders, the same command files the request.
  const filled = suggested
    .replace(/^@acrbot /, '')
    .replace('NEW-NAME', 'acr-auth-2')
    .replace('REASON…', 'deploy again');
  const renamed = await answers(users.requester, filled);
  expect(renamed).toMatch(/Pending approval/);
});

describe('extend with a mistyped id', () => {
  test.each([
    ['r-abc', '"r-abc" is not a request id: it has 3 letters and digits after "R-", not 8'],
    ['r-7k2m9qx0', '"r-7k2m9qx0" is not a request id: "0" is never in one'],
    ['r7k2m9qx0', '"r7k2m9qx0" is not a request id: "0" is never in one'],
    ['r-7k2m9qxa.', '"r-7k2m9qxa." is not a request id: the "." after it is not part of it'],
  ])('extend %s --for 7d: quoted as typed', async (typed, said) => {
    const reply = await answers(users.requester, `extend ${typed} --for 7d release slipped`);
    expect(reply).toContain(said);
    // Never a word they did not type (the upper-cased one), but the id as acrbot writes it in the example.
    expect(reply).not.toContain(`"${typed.toUpperCase()}"`);
  });

  test('an id, with or without its dash and in any case, is the id as acrbot writes it', async () => {
    const reply = await answers(users.requester, 'extend r7k2m9qxa --for 7d release slipped');
    expect(reply).toContain('There is no request R-7K2M9QXA');
    expect(reply).not.toMatch(/r7k2m9qxa|not a request id/);
  });
});

describe('a request id at the reason question', () => {
  async function askReason(user: TeamsUser): Promise<void> {
    expect(await answers(user, 'grant aks-dev contosoacr')).toMatch(/Why is the access needed/);
  }
  const reasons = async () => (await h.app.store.listByState(['pending'], 1000)).map((r) => r.reason);

  test('status with an id without its dash is that command, the questions dropped', async () => {
    const request = await h.requestGrant(users.outsider, 'aks-prod contosoacr nightly batch pulls');
    await askReason(users.outsider);
    const dashless = request.id.replace('-', '').toLowerCase();
    const status = await answers(users.outsider, `status ${dashless}`);
    expect(status).toContain('The request you were filling in is stopped; nothing was requested.');
    expect(status).toContain('nightly batch pulls');
    expect(await reasons()).not.toContain(`status ${dashless}`);
  });

  test('a mistyped id with its dash is the command too, which says what is wrong with it', async () => {
    await askReason(users.outsider);
    const status = await answers(users.outsider, 'status R-1234ABCD');
    expect(status).toContain('The request you were filling in is stopped; nothing was requested.');
    expect(status).toContain('"R-1234ABCD" is not a request id: "1" is never in one');
    expect(await reasons()).not.toContain('status R-1234ABCD');
  });

  test.each([
    'extend release2 testing window',
    'status report2024 job needs images',
    'pending release42 rollout',
    'audit r2024q4',
    'stop runner01 from failing its pulls',
    'cancel rabbitmq3 upgrade blocked on images',
  ])('%s: a dashless word like a mistyped id is a word of the reason, filed as such', async (reason) => {
    await askReason(users.outsider);
    const said = await answers(users.outsider, reason);
    expect(said).not.toMatch(/The request you were filling in is stopped|is not a request id/);
    expect(said).toMatch(/Pending approval/);
    const filed = (await h.app.store.listByState(['pending'], 1000)).find((r) => r.reason === reason);
    expect(filed).toBeDefined();
    await answers(users.outsider, `cancel ${filed?.id}`);
  });

  test('revoke with a dashless word is still a reason-like line, as revoke reads a cluster there', async () => {
    await askReason(users.outsider);
    const said = await answers(users.outsider, 'revoke rstagewe2 pulls fail since monday');
    expect(said).not.toContain('The request you were filling in is stopped');
    await answers(users.outsider, 'cancel');
  });
});

describe('access alone, with requests in two tenants', () => {
  test("each tenant's asker sees what they hold and wait for in that tenant only", async () => {
    const held = await h.requestGrant(users.requester, 'aks-legacy contosoacr tenant a nightly pulls');
    await h.click(users.approver, 'approve', { requestId: held.id });
    const done = await h.settle(held.id);
    expect(done.state).toBe('succeeded');
    // The same person's grant recorded in tenant B (a guest's home tenant), and one held there only.
    await h.app.store.create({ ...done, id: 'R-TENANTB3', tenantId: OTHER_TENANT, reason: 'TENANT-B HELD' });
    await h.app.store.create({ ...done, id: 'R-TENANTB4', tenantId: OTHER_TENANT, state: 'revoked' });

    const a = await answers(users.requester, 'access');
    expect(a).toContain('Your access');
    expect(a).toContain(held.id);
    expect(a).not.toMatch(/R-TENANTB/);

    const b = await answers(users.requester, 'access', OTHER_TENANT);
    expect(b).toContain('Your access');
    expect(b).toContain('R-TENANTB3');
    expect(b).toContain('R-TENANTB4');
    expect(b).not.toContain(held.id);
  });
});
