/**
 * #11 item 8: a generated hostile-input run through the real server. At least 1,000 varied
 * inputs — malformed activities, hostile names and options, forged card actions, other
 * tenants, oversize bodies — from a seeded generator (reproducible). Asserts: no 5xx (501 only
 * for invoke names the bot does not handle), no Azure / Graph / Kubernetes write, an answer for
 * every well-formed message, no stack trace and no live link in any reply.
 */
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { cardAction, channelMessage, personalMessage, postActivity, type TeamsUser } from '../helpers/teams-activities';

/** mulberry32: a tiny seeded PRNG, so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE = [
  '![img](https://evil.example/x.png)',
  '[click](https://evil.example/login)',
  '<at>Everyone</at>',
  '"; DROP TABLE requests; --',
  '../../etc/passwd',
  '$(rm -rf /)',
  '`whoami`',
  '%00',
  '\u202egnp.exe',
  'aks-prod\r\nLOG FORGED',
  'a'.repeat(5000),
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/x/providers/Microsoft.ContainerService/managedClusters/y',
  '/subscriptions/../providers/Microsoft.Authorization/roleAssignments/x',
  'contosoacr.azurecr.io',
  'R-ZZZZZZZZ',
  '{"$ne":null}',
  '<script>alert(1)</script>',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
  '-----BEGIN PRIVATE KEY-----',
  'AccountKey=abc==',
  '😀'.repeat(50),
  '',
  ' ',
];
const VERBS = [
  'grant',
  'secret',
  'status',
  'pending',
  'audit',
  'cancel',
  'help',
  'revoke',
  'extend',
  'access',
  'check',
  'policy',
  'bogus',
];
const OPTIONS = [
  '--kind sp',
  '--kind token',
  '--kind ../x',
  '--namespace kube-system',
  '--namespace ![x](https://evil.example)',
  '--name acr-auth',
  '--name ../../x',
  '--service-account default',
  '--repositories a/b,../c',
  '--expires 999y',
  '--for -1d',
  '--break-glass',
  '--',
  '--namespace',
];
const OTHER_TENANT = '99999999-0000-4000-8000-000000000999';

interface Sent {
  kind: string;
  status: number;
  /** For a well-formed message: its conversation id, which must get an answer. */
  answerIn?: string;
}

describe('hostile input through the real server (#11)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ ACRBOT_REQUESTS_PER_MINUTE: '100000', ACRBOT_MAX_PENDING_PER_USER: '100000' });
  }, 60_000);
  afterAll(() => h.stop());

  test('≥1,000 generated inputs: no 5xx, no writes, every message answered, no stack trace or live link', async () => {
    const rnd = prng(11);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const o = { serviceUrl: h.serviceUrl };
    // A real pending request to forge clicks against.
    const target = await h.requestGrant(users.requester, 'aks-prod contosoacr a real pending request');
    const writesBefore = writes(h);
    const people: TeamsUser[] = [
      users.requester,
      users.outsider,
      {
        objectId: '0a000000-0000-4000-8000-00000000dddd',
        name: '[Mallory](https://evil.example)',
        teamsId: '29:mallory',
      },
    ];
    const sent: Sent[] = [];
    const post = async (kind: string, activity: Record<string, unknown>, answerIn?: string) => {
      const res = await postActivity(h.app.url, activity);
      sent.push({ kind: activity.type === 'invoke' ? `${kind}:invoke` : kind, status: res.status, answerIn });
    };
    const hostileText = () => {
      const parts = [pick(VERBS)];
      const n = Math.floor(rnd() * 4);
      for (let i = 0; i < n; i++)
        parts.push(rnd() < 0.5 ? pick(HOSTILE) : pick(['aks-prod', 'contosoacr', 'aks-dev', 'sharedacr']));
      for (let i = 0; i < Math.floor(rnd() * 3); i++) parts.push(pick(OPTIONS));
      if (rnd() < 0.6) parts.push(pick(HOSTILE) + ' because reasons');
      return parts.join(' ');
    };

    for (let i = 0; i < 1100; i++) {
      const who = pick(people);
      const r = rnd();
      if (r < 0.45) {
        // Hostile names and options in a channel or a personal chat.
        const a = rnd() < 0.5 ? channelMessage(who, hostileText(), o) : personalMessage(who, hostileText(), o);
        await post('message', a, (a.conversation as { id: string }).id);
      } else if (r < 0.65) {
        // Forged card actions: other people's requests, made-up ids and versions, unknown verbs.
        const verb = pick(['approve', 'reject', 'refresh', 'grantForm', 'cancel', 'revoke', 'bogus', '']);
        const data = pick<Record<string, unknown>>([
          { requestId: target.id },
          { requestId: target.id, version: 999 },
          { requestId: 'R-ZZZZZZZZ' },
          { requestId: pick(HOSTILE) },
          { requestId: target.id, comment: pick(HOSTILE) },
          { form: 'grant', cluster: pick(HOSTILE), registry: pick(HOSTILE), reason: pick(HOSTILE) },
          {},
        ]);
        const action = cardAction(who === users.requester ? users.outsider : who, verb, data, o);
        if (rnd() < 0.2)
          (action as { name: string }).name = pick(['bogus/invoke', 'task/fetch', 'composeExtension/query']);
        await post('invoke', action);
      } else if (r < 0.75) {
        // Another tenant.
        const a = channelMessage(who, hostileText(), { ...o, tenantId: OTHER_TENANT });
        await post('tenant', a, (a.conversation as { id: string }).id);
      } else if (r < 0.95) {
        // Malformed activities: missing or wrongly typed fields.
        const a = channelMessage(who, hostileText(), o) as Record<string, any>;
        const mutation = Math.floor(rnd() * 9);
        if (mutation === 0) delete a.from;
        if (mutation === 1) a.from = { id: 42, aadObjectId: { $ne: null } };
        if (mutation === 2) a.text = { nested: ['x'] };
        if (mutation === 3) delete a.conversation;
        if (mutation === 4) a.type = pick(['invoke', 'event', 'conversationUpdate', 'messageReaction', 'bogus', '']);
        if (mutation === 5) a.entities = 'not-an-array';
        if (mutation === 6) a.channelData = null;
        if (mutation === 7) a.from.aadObjectId = pick(HOSTILE);
        if (mutation === 8) a.value = { action: { verb: 'approve', data: { requestId: target.id } } };
        await post(`malformed-${mutation}`, a);
      } else {
        // Oversize, not JSON at all, or JSON that is not an activity.
        const res = await fetch(`${h.app.url}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: pick([
            JSON.stringify({ type: 'message', text: 'x'.repeat(300 * 1024) }),
            '{"type": "message", ',
            '{}',
            '{"text": "grant aks-prod contosoacr"}',
            'null',
            '[{"type": "message"}]',
          ]),
        });
        await res.arrayBuffer();
        sent.push({ kind: 'oversize', status: res.status });
      }
    }
    await h.app.services.background.drain();
    await h.app.services.executor.drain();

    expect(sent.length).toBeGreaterThanOrEqual(1000);
    const serverErrors = sent.filter((s) => s.status >= 500 && !(s.kind.endsWith(':invoke') && s.status === 501));
    expect(serverErrors).toEqual([]);
    expect(writes(h)).toEqual(writesBefore);
    expect((await h.app.store.get(target.id))!.state).toBe('pending');

    const answered = new Set(h.connector.calls.map((c) => c.conversationId));
    const unanswered = sent.filter((s) => s.answerIn && !answered.has(s.answerIn));
    expect(unanswered).toEqual([]);
    for (const call of h.connector.calls) {
      // What people see: the text and the cards (not the routing fields Bot Framework echoes).
      const shown = call.activity as { text?: unknown; attachments?: unknown };
      const text = `${String(shown.text ?? '')}\n${rendered(shown.attachments).join('\n')}`;
      expect(text).not.toMatch(/\n\s+at [\w.<>]+ \(|at Object\.<anonymous>|node:internal/);
      expect(text).not.toMatch(/\]\(https?:|https?:\/\/evil/);
    }
  }, 600_000);
});

/** Every write the emulators saw: ARM PUT/PATCH/DELETE and POST actions, Graph writes, Kubernetes writes. */
function writes(h: Harness): { arm: number; graph: number; kubernetes: number } {
  const sandbox = h.app.sandbox!;
  const arm = sandbox.arm.requests.filter(
    (r) => r.method !== 'GET' && !(r.method === 'POST' && /list|checkAccess|permissions/i.test(r.operation)),
  ).length;
  const graph = sandbox.graph.requests.filter(
    (r) => r.method !== 'GET' && !/checkMemberGroups|transitiveMemberOf|getMemberObjects/i.test(r.operation),
  ).length;
  const kubernetes = Object.values(sandbox.kubernetes)
    .flatMap((k) => k.requests)
    .filter((r) => r.method !== 'GET').length;
  return { arm, graph, kubernetes };
}

/**
 * Every string a card renders as text (TextBlock, facts, titles), skipping the values of inputs:
 * an Input.Text shows what its user typed back to them as plain text, never as markdown.
 */
function rendered(node: unknown): string[] {
  if (typeof node === 'string') return [node];
  if (Array.isArray(node)) return node.flatMap(rendered);
  if (!node || typeof node !== 'object') return [];
  const o = node as Record<string, unknown>;
  if (typeof o.type === 'string' && o.type.startsWith('Input.')) return [];
  return Object.entries(o)
    .filter(([k]) => k !== '$schema' && k !== 'url')
    .flatMap(([, v]) => rendered(v));
}
