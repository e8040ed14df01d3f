/**
 * #11 items 6 and 7: sandbox mode says so first and stays local; failures an operator can act
 * on — `/readyz` gives a short code only, an audit write failing after the Azure write keeps the
 * outcome truthful and is retried until written, errors are logged with their stack.
 */
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import type { AuditEvent } from '../../src/domain/audit-chain';
import type { AuditLog } from '../../src/domain/ports';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';

interface LogLine {
  level: number;
  msg: string;
  err?: { type?: string; message?: string; stack?: string };
  [k: string]: unknown;
}
const parse = (h: Harness): LogLine[] => h.logs.lines.map((l) => JSON.parse(l) as LogLine);

describe('sandbox mode cannot pass for production', () => {
  let h: Harness;
  afterEach(() => h?.stop());

  test('the first log line says SANDBOX at warn level; with HOST set beyond loopback it warns the endpoint is anonymous', async () => {
    h = await startHarness({ HOST: '0.0.0.0' });
    const lines = parse(h);
    expect(lines[0].level).toBe(40);
    expect(lines[0].msg).toMatch(/^SANDBOX mode/);
    expect(lines[1]).toMatchObject({ level: 40, host: '0.0.0.0' });
    expect(lines[1].msg).toMatch(/anonymous/);
    await h.stop();
    // Loopback (as the Playground sets it) reaches nobody else: no warning.
    h = await startHarness({ HOST: '127.0.0.1' });
    expect(parse(h).filter((l) => /anonymous/.test(l.msg))).toEqual([]);
  });
});

describe('failures an operator can act on', () => {
  let h: Harness;
  afterEach(() => h?.stop());

  test('/readyz answers 503 with a short reason code only; the detail is logged with its stack', async () => {
    const requests = new MemoryRequestStore();
    requests.ping = async () => {
      throw new Error('cannot open /srv/secret-path/acrbot.db: SQLITE_CANTOPEN');
    };
    h = await startHarness({}, { stores: { requests } });
    const res = await fetch(`${h.app.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not ready', reason: 'store' });
    const logged = parse(h).find((l) => l.msg === 'not ready')!;
    expect(logged.err?.stack).toContain('NotReadyError');
    expect(JSON.stringify(logged)).toContain('SQLITE_CANTOPEN');
  });

  test('a lasting /readyz failure is logged once, not at every probe, and its end once', async () => {
    const requests = new MemoryRequestStore();
    let broken = true;
    const ping = requests.ping.bind(requests);
    requests.ping = async () => {
      if (broken) throw new Error('SQLITE_BUSY');
      return ping();
    };
    h = await startHarness({}, { stores: { requests } });
    const probe = async () => (await fetch(`${h.app.url}/readyz`)).status;
    expect([await probe(), await probe(), await probe()]).toEqual([503, 503, 503]);
    broken = false;
    expect(await probe()).toBe(200);
    expect(await probe()).toBe(200);
    const lines = parse(h).filter((l) => /ready/.test(l.msg) && l.component !== 'restify');
    expect(lines.map((l) => [l.level, l.msg, l.reason ?? l.after, l.probes])).toEqual([
      [50, 'not ready', 'store', 1],
      [30, 'ready again', 'store', 3],
    ]);
  });

  test('/readyz says "starting" until the background work has started (resumed runs, the schedule), then ready', async () => {
    // The port is chosen first: the app answers on it before its start returns.
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    // The pending requests' expiry is scheduled as the background starts: held there.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const inBackground = new Promise<void>((resolve) => (reached = resolve));
    const requests = new MemoryRequestStore();
    const listByState = requests.listByState.bind(requests);
    requests.listByState = async (states, limit) => {
      if (states.length === 1 && states[0] === 'pending') {
        reached();
        await held;
      }
      return listByState(states, limit);
    };
    const starting = startHarness({ PORT: String(port) }, { stores: { requests } });
    await inBackground;
    const early = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(early.status).toBe(503);
    expect(await early.json()).toEqual({ status: 'not ready', reason: 'starting' });
    release();
    h = await starting;
    expect((await fetch(`${h.app.url}/readyz`)).status).toBe(200);
    // A phase, not a failure: logged at info.
    expect(
      parse(h)
        .filter((l) => l.msg === 'not ready' || l.msg === 'ready again')
        .map((l) => [l.level, l.reason]),
    ).toEqual([[30, 'starting']]);
  });

  test('the audit write failing after the Azure write succeeded: the request says succeeded, the entry is retried until written', async () => {
    let failures = 2;
    const clockless = new MemoryAuditLog({ now: () => new Date() });
    const audit: AuditLog = {
      append: async (event: AuditEvent) => {
        if (event.action === 'request.succeeded' && failures-- > 0) throw new Error('audit store unavailable');
        return clockless.append(event);
      },
      latest: (n) => clockless.latest(n),
      forRequest: (id) => clockless.forRequest(id),
      verify: () => clockless.verify(),
      entryAt: (seq) => clockless.entryAt(seq),
    };
    h = await startHarness({}, { stores: { audit } });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    const done = await h.settle(request.id);
    expect(done.state).toBe('succeeded');
    expect(
      h.app.sandbox!.arm.state.listRoleAssignments(sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso)),
    ).toHaveLength(1);
    const failed = parse(h).find((l) => l.msg.startsWith('audit write failed; scheduling an audit.retry'))!;
    expect(failed.err?.stack).toContain('audit store unavailable');
    // The job retries (with backoff after the second failure) until the entry is written.
    const { scheduler } = h.app;
    for (
      let i = 0;
      i < 20 && !(await audit.forRequest(request.id)).some((e) => e.action === 'request.succeeded');
      i++
    ) {
      const [job] = await h.app.stores.schedule
        .forRequest(request.id)
        .then((jobs) => jobs.filter((j) => j.kind === 'audit.retry'));
      if (job) await h.app.stores.schedule.put({ ...job, dueAt: new Date(0).toISOString() });
      await scheduler.runDue();
    }
    expect((await audit.forRequest(request.id)).filter((e) => e.action === 'request.succeeded')).toHaveLength(1);
    expect((await h.app.stores.schedule.forRequest(request.id)).filter((j) => j.kind === 'audit.retry')).toEqual([]);
  });
});

describe('a feature turned off', () => {
  let h: Harness;
  afterEach(() => h?.stop());

  test('audit anchors off: the recurring anchor job stored while they were on ends at its next run, without failing', async () => {
    h = await startHarness();
    await h.app.stores.schedule.put({
      id: 'audit.anchor',
      kind: 'audit.anchor',
      dueAt: new Date(0).toISOString(),
      attempts: 0,
    });
    await h.app.scheduler.runDue();
    expect(await h.app.stores.schedule.get('audit.anchor')).toBeUndefined();
    expect(parse(h).filter((l) => l.msg === 'scheduled job failed; retrying later')).toEqual([]);
    expect(parse(h).some((l) => /audit anchors are off/.test(l.msg))).toBe(true);
  });
});
