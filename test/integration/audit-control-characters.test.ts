/**
 * Terminal escape sequences planted through chat (`&#27;[2K` as Teams delivers an entity, a raw
 * U+009B CSI) reach neither the stored audit entry nor `audit:export`'s CSV or JSONL: refusals
 * that quote what was typed (a refused `access`, a name refused by validation) store it without
 * them, and a detail that brings them another way (an Azure error's message) is stored with them
 * escaped. The bot writes a SQLite store, then the CLI reads it as an operator would.
 */
import { runCliCaptured } from '../helpers/audit-cli-run';
import { startHarness, users, type Harness } from '../helpers/harness';
import { TEST_AUDIT_KEY } from '../helpers/test-work-dir';
import { useTempDir } from '../unit/support/temp-dir';

jest.setTimeout(60_000);

const tmp = useTempDir('acrbot-audit-control-');

/** Control characters a terminal acts on (C0 but tab, CR and LF; DEL; C1). */
const RAW_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

let h: Harness | undefined;
afterAll(async () => {
  await h?.stop();
});

test('escape sequences typed in chat, or in a detail from elsewhere, reach neither the entry nor the export raw', async () => {
  const path = tmp.path('acrbot.db');
  h = await startHarness({ ACRBOT_STORAGE: `sqlite:${path}` });
  const seq = (await h.app.audit.latest(1))[0]?.seq ?? 0;

  expect(await h.ask(users.outsider, 'access aks&#27;[2K&#27;[1A\u009b2Jprod')).toMatch(/Approvers and auditors only/);
  expect(await h.ask(users.requester, 'grant my&#27;[2K;aks contosoacr')).toMatch(/not a valid cluster name/);
  // As an SDK's error message could bring them: escaped when the entry is written.
  await h.app.audit.append({
    actor: { objectId: 'acrbot', name: 'acrbot' },
    tenantId: 't',
    action: 'job.failed',
    targetIds: [],
    outcome: 'error',
    detail: 'Azure said \u001b[2K\u009b2J\u007f',
  });

  const entries = (await h.app.audit.latest(100)).filter((e) => e.seq > seq);
  expect(entries.map((e) => [e.action, e.detail])).toEqual([
    ['access.refused', 'access aks[2K[1A2Jprod'],
    ['validation.failed', expect.stringContaining('my[2K;aks')],
    ['job.failed', 'Azure said \\u001b[2K\\u009b2J\\u007f'],
  ]);
  await h.stop();
  h = undefined;

  const cli = (...args: string[]) =>
    runCliCaptured(
      [...args, '--storage', `sqlite:${path}`],
      { ACRBOT_STORAGE: '', ACRBOT_AUDIT_KEY: TEST_AUDIT_KEY },
      tmp.path('cwd'),
    );
  for (const format of ['csv', 'jsonl']) {
    const r = await cli('export', '--format', format);
    expect({ format, code: r.code }).toEqual({ format, code: 0 });
    expect(r.stdout).toContain('access aks[2K[1A2Jprod');
    // The stored text is `\u001b`; JSON writes its backslash as `\\`.
    expect(r.stdout).toContain(format === 'csv' ? 'Azure said \\u001b[2K' : 'Azure said \\\\u001b[2K');
    expect(r.stdout).not.toMatch(RAW_CONTROL);
  }
  const verified = await cli('verify', '--require-key', '--no-anchor');
  expect(verified).toMatchObject({ code: 0, stdout: expect.stringMatching(/intact/i) });
});
