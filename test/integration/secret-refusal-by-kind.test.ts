/**
 * A credential step Azure refuses (403 AuthorizationFailed) is explained by what was refused: a
 * token's create by the registry's token rights, a `--kind sp` run's role assignment by the rights
 * to assign roles (never "ask for --kind sp" to someone who did). And the card says what the
 * clean-up found: nothing was created when the very first create was refused.
 */
import { startHarness, users, type Harness } from '../helpers/harness';

describe('secret refusals explained by credential kind and step', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  async function refused(operation: string, command: string) {
    h.app.sandbox!.arm.faults.add({ operation, status: 403, code: 'AuthorizationFailed' });
    const r = await h.requestSecret(users.requester, command);
    await h.click(users.approver, 'approve', { requestId: r.id });
    return h.settle(r.id);
  }

  test('a refused token create: token rights, and nothing was created (not "deleted again")', async () => {
    const done = await refused('tokens.create', 'aks-dev contosoacr --namespace payments refused by azure');
    expect(done.state).toBe('failed');
    expect(done.outcome?.error).toMatch(/may not create the credential on registry contosoacr/);
    expect(done.outcome?.error).toMatch(/ Nothing was created\.$/);
    expect(done.outcome?.error).not.toMatch(/deleted again/);
    expect(done.outcome?.cleanup).toBe('none');
  });

  test('a refused role assignment of --kind sp: role-assignment rights, and the application made is deleted', async () => {
    const done = await refused(
      'roleAssignments.create',
      'aks-dev contosoacr --kind sp --namespace payments refused by azure',
    );
    expect(done.state).toBe('failed');
    expect(done.outcome?.error).toMatch(
      /may not give the new service principal AcrPull on registry contosoacr \(Microsoft\.Authorization\/roleAssignments\/write\)/,
    );
    expect(done.outcome?.error).toMatch(/--kind token/);
    expect(done.outcome?.error).not.toMatch(/--kind sp|tokens and generateCredentials/);
    expect(done.outcome?.error).toMatch(/The service principal acrbot had created was deleted again\.$/);
  });
});
