/**
 * A first-time requester's mistakes, through the real app (sandbox mode): an option typed with
 * one dash (`-ns payments`, which filed default/acr-auth with "-ns payments …" as the reason), a
 * term written any way but `--for 7d` (filed with the default term), `grant help`, and the names
 * swapped or joined by "to". Each is answered with what to type and files nothing; a length later
 * in the reason stays prose.
 */
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ ACRBOT_REQUESTS_PER_MINUTE: '1000' });
});
afterAll(async () => {
  await h?.stop();
});

/** Says `text` in the requester's chat with acrbot; the texts of everything acrbot answered in that turn. */
async function answers(text: string): Promise<string> {
  const before = h.connector.calls.length;
  const res = await h.say(users.requester, text, 'personal');
  expect(res.status).toBe(200);
  return h.connector.calls
    .slice(before)
    .map((c) => cardText(c.activity))
    .join('\n');
}

const stored = async () =>
  (await h.app.store.listByState(['pending', 'approved', 'executing', 'succeeded', 'cancelled'], 1000)).map(
    (r) => r.id,
  );

/** Withdraws the requester's pending requests, so that the next one is no twin of them. */
async function withdrawAll(): Promise<void> {
  for (const r of await h.app.store.listByState(['pending'], 1000)) await answers(`cancel ${r.id}`);
}

test.each([
  [
    'secret aks-dev contosoacr -ns payments pulling images',
    'Unknown option -ns: did you mean --namespace? The secret command takes',
  ],
  [
    'secret aks-dev contosoacr --namespace payments -repos team/app pulling images',
    'Unknown option -repos: did you mean --repositories?',
  ],
  ['grant aks-dev contosoacr -t 7d testing the app', 'Unknown option -t: did you mean --for 7d?'],
  ['grant aks-dev contosoacr [--for 7d] deploying the app', 'type "--for 7d" without them. Nothing was requested.'],
  [
    'grant aks-dev contosoacr for 2 weeks to test the app',
    '"for 2 weeks" reads as a length: write --for 2w before the reason. Nothing was requested.',
  ],
  ['grant aks-dev contosoacr 7d testing the app', '"7d" reads as a length: write --for 7d before the reason.'],
  ['grant aks-dev contosoacr --days 7 testing the app', 'Unknown option --days: use --for 7d. Nothing was requested.'],
  ['grant aks-dev contosoacr --for 2 weeks testing the app', 'write --for 2w (a number and one of m, h, d, w, y'],
  [
    'grant contosoacr.azurecr.io to aks-dev',
    'Cluster first: grant aks-dev contosoacr.azurecr.io REASON… ("aks-dev" reads as a cluster, and cannot be a registry',
  ],
  ['grant contosoacr.azurecr.io aks-dev testing', 'Cluster first: grant aks-dev contosoacr.azurecr.io REASON…'],
  ['grant aksprod contoso-acr deploy', '"contoso-acr" is not a valid registry name: use 5–50 letters and digits'],
  [
    'grant contosoacr aks-dev testing',
    'If you typed the registry first, put the cluster first: grant CLUSTER REGISTRY',
  ],
  ['grant aks-dev contosoacr --t 7d testing the app', 'Unknown option --t: did you mean --for 7d?'],
  [
    'secret aks-dev contosoacr -ns payments pulling images',
    'Unknown option -ns: did you mean --namespace? The secret command takes --namespace, --name, --kind, --service-account, --for (or --expires) and --repositories. Nothing was requested.',
  ],
])('%s: told what to type, nothing requested', async (text, said) => {
  const before = await stored();
  const reply = await answers(text);
  expect(reply).toContain(said);
  expect(reply).not.toMatch(/Pending approval|Why is the access needed/);
  expect(await stored()).toEqual(before);
});

test('a name that can be none is told before a reason too short', async () => {
  const reply = await answers('grant aks-dev acr testing');
  expect(reply).toContain('"acr" is not a valid registry name');
  expect(reply).not.toMatch(/A reason of at least/);
});

test.each([
  ['grant help', 'grant CLUSTER REGISTRY REASON… (options, before the reason: --for 30d, --break-glass)'],
  ['grant --help', 'grant CLUSTER REGISTRY REASON… (options, before the reason: --for 30d, --break-glass)'],
  ['grant -h', 'grant CLUSTER REGISTRY REASON… (options, before the reason: --for 30d, --break-glass)'],
  ['secret --help', 'secret CLUSTER REGISTRY REASON… (options, before the reason: --namespace NS'],
])('%s shows that command\'s usage, not a question about a cluster named "help"', async (text, usage) => {
  const reply = await answers(text);
  expect(reply).toContain(`acrbot ${text.split(' ')[0]}`);
  expect(reply).toContain(usage);
  expect(reply).toContain('Type @acrbot help to see every command.');
  expect(reply).not.toContain('acrbot commands');
  expect(reply).not.toMatch(/Which registry|not a valid cluster name|Unknown option/);
});

describe('read as meant', () => {
  afterEach(withdrawAll);

  test('"to" between the names is glue: the grant is planned for the cluster and registry', async () => {
    const reply = await answers('grant aks-dev to contosoacr deploying the app');
    expect(reply).toContain('Grant AcrPull to aks-dev on contosoacr');
    expect(reply).toContain('deploying the app');
  });

  test('a length later in the reason is prose, filed with the reason as typed', async () => {
    const reply = await answers('grant aks-dev contosoacr testing the app for 2 weeks');
    expect(reply).toMatch(/Pending approval/);
    const [request] = await h.app.store.listByState(['pending'], 1000);
    expect(request.reason).toBe('testing the app for 2 weeks');
  });

  test('a term given, a length where the reason starts is the reason, filed with that term', async () => {
    const reply = await answers('grant aks-dev contosoacr --for 2w 2 weeks load test');
    expect(reply).toMatch(/Pending approval/);
    expect(reply).not.toContain('write --for');
    const [request] = await h.app.store.listByState(['pending'], 1000);
    expect(request.reason).toBe('2 weeks load test');
    expect(request.access?.durationMs).toBe(14 * 24 * 3600 * 1000);
  });

  test("a one-dash word later in a secret's reason that names no option is its text", async () => {
    const reply = await answers('secret aks-dev contosoacr --namespace payments needed for the -rc build');
    expect(reply).toMatch(/Pending approval/);
    const [request] = await h.app.store.listByState(['pending'], 1000);
    expect(request.reason).toBe('needed for the -rc build');
  });

  test('a secret with --namespace typed right goes to that namespace', async () => {
    const reply = await answers('secret aks-dev contosoacr --namespace payments pulling images');
    expect(reply).toContain('Pull secret for contosoacr in aks-dev (payments/acr-auth)');
  });
});

test('"2w testing the app" at the reason question is asked again, saying how to give the term', async () => {
  expect(await answers('grant aks-dev contosoacr')).toMatch(/Why is the access needed/);
  const before = await stored();
  const reply = await answers('2w testing the app');
  expect(reply).toContain('"2w" reads as a length, and an answer sets no term');
  expect(reply).toContain('"grant CLUSTER REGISTRY --for 2w REASON…"');
  expect(await stored()).toEqual(before);
  // The question is still open: "grant --help" there shows grant's usage and keeps it.
  const help = await answers('grant --help');
  expect(help).toContain('grant CLUSTER REGISTRY REASON…');
  expect(await stored()).toEqual(before);
  expect(await answers('cancel')).toContain('Cancelled; nothing was requested.');
});
