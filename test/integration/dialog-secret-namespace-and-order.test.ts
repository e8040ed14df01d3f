/**
 * The request dialog asks what the one-line command would take: a secret started with no names
 * is asked its namespace (else its card named `default`, which nobody chose), checked as
 * `--namespace` is; and names given registry first, at the questions or in the grant form, are
 * answered "Cluster first", as `grant REGISTRY CLUSTER` typed on one line is. Nothing is taken
 * from a refused answer, and nothing is requested.
 */
import { cardText } from '../helpers/capturing-connector';
import { grantFormPosted } from '../helpers/grant-form';
import { type Harness, startHarness, users } from '../helpers/harness';
import { clickInThread } from '../helpers/thread-click';

const NAMESPACE_QUESTION = /Which Kubernetes namespace should the pull secret go in\?/;

describe('the questions of a secret started with no names', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  /** Says `text` in a chat with acrbot; the texts of everything acrbot answered in that turn. */
  const answers = (text: string) => h.turnReplies(users.requester, text, 'personal');
  const pending = () => h.app.store.listByState(['pending']);

  test('the namespace is asked after the registry, checked like --namespace, and filed', async () => {
    expect(await answers('secret')).toMatch(/Which cluster needs pull access/);
    expect(await answers('aks-dev')).toMatch(/Which registry/);
    const asked = await answers('contosoacr');
    expect(asked).toMatch(NAMESPACE_QUESTION);
    expect(asked).toContain('"default" for the default one');
    expect(await answers('Payments')).toContain(
      '"Payments" is not a valid namespace: lowercase letters, digits and "-", at most 63 characters',
    );
    expect(await pending()).toEqual([]);
    expect(await answers('payments')).toMatch(/Why is the access needed/);
    expect(await answers('pull for payments-api')).toMatch(/Pending approval/);
    const [filed] = await pending();
    expect(filed.plan).toMatchObject({ kind: 'secret', namespace: 'payments' });
  });

  test('"default" is the answer that keeps the default', async () => {
    await answers('secret');
    await answers('aks-dev');
    expect(await answers('contosoacr')).toMatch(NAMESPACE_QUESTION);
    expect(await answers('default')).toMatch(/Why is the access needed/);
    expect(await answers('pull for payments-api')).toMatch(/Pending approval/);
    const [filed] = await pending();
    expect(filed.plan).toMatchObject({ kind: 'secret', namespace: 'default' });
  });

  test.each([
    ['secret --namespace payments', 'payments'],
    ['secret aks-dev', 'default'],
  ])('%j: not asked (a namespace or a name was typed)', async (start, namespace) => {
    expect(await answers(start)).toMatch(/Which (cluster|registry)/);
    if (start.includes('--namespace')) expect(await answers('aks-dev')).toMatch(/Which registry/);
    const next = await answers('contosoacr');
    expect(next).not.toMatch(NAMESPACE_QUESTION);
    expect(next).toMatch(/Why is the access needed/);
    expect(await answers('pull for payments-api')).toMatch(/Pending approval/);
    const [filed] = await pending();
    expect(filed.plan).toMatchObject({ kind: 'secret', namespace });
  });

  test('a grant is not asked a namespace', async () => {
    // `grant` alone gets the form; with only a term, the questions.
    expect(await answers('grant --for 2h')).toMatch(/Which cluster/);
    await answers('aks-dev');
    const next = await answers('contosoacr');
    expect(next).not.toMatch(NAMESPACE_QUESTION);
    expect(next).toMatch(/Why is the access needed/);
  });
});

describe('names given registry first', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  const answers = (text: string) => h.turnReplies(users.requester, text, 'personal');

  test.each(['grant --for 2h', 'secret'])(
    '%j: a login server at the cluster question is answered "Cluster first"; the question stays',
    async (start) => {
      expect(await answers(start)).toMatch(/Which cluster/);
      expect(await answers('contosoacr.azurecr.io')).toBe(
        'Cluster first: "contosoacr.azurecr.io" reads as a registry; this question takes the cluster (name, resourceGroup/name or resource id), and the registry is asked next. (type "cancel" to stop)',
      );
      expect(await answers('bad_x.azurecr.io')).toMatch(
        /^Cluster first: this question takes the cluster .*; and "bad_x\.azurecr\.io" is not a valid registry login server/,
      );
      expect(await answers('aks-dev')).toMatch(/Which registry/);
      expect(await h.app.store.listByState(['pending'])).toEqual([]);
    },
  );

  test('a cluster-like name at the registry question after a name either could be: the order is named', async () => {
    expect(await answers('grant --for 2h')).toMatch(/Which cluster/);
    expect(await answers('contosoacr')).toMatch(/Which registry/);
    const said = await answers('aks-dev');
    expect(said).toContain('"aks-dev" is not a valid registry name');
    expect(said).toContain('If you typed the registry first, put the cluster first: grant CLUSTER REGISTRY REASON…');
    expect(await h.app.store.listByState(['pending'])).toEqual([]);
  });

  test('the grant form filled registry first: the form again with "Cluster first", nothing requested', async () => {
    const form = await grantFormPosted(h);
    const seq = (await h.app.audit.latest(1))[0]?.seq ?? 0;
    const res = await clickInThread(
      h,
      users.requester,
      'grantForm',
      { form: 'grant', cluster: 'contosoacr.azurecr.io', registry: 'aks-dev', reason: 'deploy payments-api' },
      form.activityId,
    );
    expect(res.status).toBe(200);
    const error = await h.connector.waitFor(
      (c) => c.op === 'update' && c.activityId === form.activityId && /Cluster first/.test(cardText(c.activity)),
      5000,
      'the form again, with the error',
    );
    expect(cardText(error.activity)).toContain('Cluster first: grant aks-dev contosoacr.azurecr.io REASON…');
    expect(await h.app.store.listByState(['pending'])).toEqual([]);
    const since = (await h.app.audit.latest(20)).filter((e) => e.seq > seq).map((e) => [e.action, e.outcome]);
    expect(since).toContainEqual(['validation.failed', 'validation.name']);
  });
});
