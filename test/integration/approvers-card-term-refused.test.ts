/**
 * A reload that lowers a rule's maxDuration below a waiting request's term does not redraw its
 * cards (the reload only logs and audits). Whenever the approvers' card is drawn after it — the
 * approver's own view (a Universal Actions refresh) and the card answering a click — it carries
 * the line the reminders and escalations carry ("Approve would be refused: …",
 * domain/pending-term.ts); the requester's view does not. The real app over the sandbox emulators.
 */
import { EventEmitter, once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { refreshView } from '../helpers/card-views';
import { startHarness, users } from '../helpers/harness';
import { TempDirs } from '../helpers/temp-dirs';

const tempDirs = new TempDirs();
afterAll(() => tempDirs.removeAll());

const policyWith = (maxDuration: string) => `version: 1
rules:
  - id: prod
    match: {}
    approvers: { users: ["${SANDBOX_USERS.approver.objectId}"] }
    maxDuration: ${maxDuration}
`;

/** What the nudges say of a request asking for 30d under a rule lowered to 8h (nudge-view.ts). */
const SAYS =
  'Approve would be refused: it asks for 30d, but rule prod now grants at most 8h; reject it, and its requester can ask again for less.';

/** The card an answer carries, as text. */
const shown = (res: { body: any }): string => JSON.stringify(res.body?.value ?? res.body);

test("after a reload that shortened the rule, the approvers' card says Approve would be refused whenever it is drawn", async () => {
  const file = join(tempDirs.make('acrbot-card-term-'), 'policy.yaml');
  writeFileSync(file, policyWith('30d'));
  const reloads = new EventEmitter();
  const logs = new Writable({
    write(chunk, _enc, done) {
      if ((JSON.parse(String(chunk)) as { msg: string }).msg === 'approval policy reloaded') reloads.emit('reloaded');
      done();
    },
  });
  const h = await startHarness({ ACRBOT_POLICY: file }, { logger: createLogger({ level: 'info', destination: logs }) });
  try {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    expect(shown(await refreshView(h, users.approver, request.id))).not.toContain('Approve would be refused');

    const reloaded = once(reloads, 'reloaded', { signal: AbortSignal.timeout(20_000) });
    writeFileSync(file, policyWith('8h'));
    process.emit('SIGHUP');
    await reloaded;

    // The approver's own view, drawn at the refresh: the line, with the buttons still there.
    const view = shown(await refreshView(h, users.approver, request.id));
    expect(view).toContain(SAYS);
    expect(view).toContain('"verb":"reject"');
    // The requester's view is not the approvers' card: no line.
    expect(shown(await refreshView(h, users.requester, request.id))).not.toContain('Approve would be refused');
    // The card answering the refused Approve says it too, beside the refusal.
    const clicked = shown(await h.click(users.approver, 'approve', { requestId: request.id }));
    expect(clicked).toContain(`Request ${request.id} asks for 30d, but rule prod now grants at most 8h.`);
    expect(clicked).toContain(SAYS);

    // Lengthened again: the line goes.
    const back = once(reloads, 'reloaded', { signal: AbortSignal.timeout(20_000) });
    writeFileSync(file, policyWith('30d'));
    process.emit('SIGHUP');
    await back;
    expect(shown(await refreshView(h, users.approver, request.id))).not.toContain('Approve would be refused');
  } finally {
    await h.stop();
  }
});
