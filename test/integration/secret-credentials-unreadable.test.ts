/**
 * G12 and G14 when ARM creates the token's password but its answer cannot be read: the emulator
 * carries out `generateCredentials` and answers 200 with the JSON cut short. The SDK's parse error
 * quotes that whole body (the password in it); nothing of it may reach a log line, a card, the
 * audit or the store. The password was created: the card says the outcome is not known (not that
 * Azure refused), and the token that holds it is deleted again.
 */
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);

describe('a generateCredentials answer that cannot be read', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());

  test('the password appears nowhere, the card says the outcome is unknown, and the token is deleted again', async () => {
    const arm = h.app.sandbox!.arm;
    // The whole answer as the emulator sent it (before the cut): the password the SDK received.
    const answers: string[] = [];
    arm.cutAnswers.add({ operation: 'registries.generateCredentials', seen: (body) => answers.push(body) });
    const request = await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments cut answer');
    await h.click(users.approver, 'approve', { requestId: request.id });
    const done = await h.settle(request.id);

    expect(answers).toHaveLength(1);
    const password = (JSON.parse(answers[0]) as { passwords: Array<{ name: string; value: string }> }).passwords[0]
      .value;
    expect(password.length).toBeGreaterThanOrEqual(32);

    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('PARSE_ERROR');
    expect(done.outcome?.error).toMatch(
      /answer could not be read \(PARSE_ERROR\), so whether the credential was created is not known/,
    );
    expect(done.outcome?.error).not.toMatch(/refused/);
    // The password lives on the token: the token goes, and the password with it (G14).
    expect(done.outcome?.cleanup).toBe('deleted');
    expect(done.outcome?.error).toMatch(/deleted again/);
    expect(arm.state.listTokens(contosoId)).toHaveLength(0);

    const card = await h.connector.waitFor(
      (c) => /The request failed/.test(cardText(c.activity)),
      5000,
      'failure card',
    );
    expect(cardText(card.activity)).toMatch(/whether the credential was created is not known/);

    const requests = await h.app.store.listByState(['failed'], 100);
    const everything =
      JSON.stringify(h.connector.calls) +
      h.logs.lines.join('') +
      JSON.stringify(await h.app.audit.latest(500)) +
      JSON.stringify(requests);
    // Whole, and a part of it as a message cut at a limit would keep it.
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(password.slice(0, 16));
    expect(everything).not.toContain(password.slice(-16));

    // The operators' line is there, with the ids to look the answer up by, and the body is not.
    const failed = h.logs.entries().filter((e) => e.msg === 'secret flow failed in Azure');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      code: 'PARSE_ERROR',
      err: expect.objectContaining({ type: 'CloudApiError', statusCode: 200, requestId: expect.any(String) }),
    });
    expect(JSON.stringify(failed[0])).toMatch(/content withheld/);
  });
});
