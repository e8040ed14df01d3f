/**
 * `npm run playground`: acrbot's sandbox in Microsoft 365 Agents Playground, a local Teams
 * client. Starts the sandbox bot (emulated Azure, in-memory storage), the Playground wired to
 * it with the checked-in config (playground/.m365agentsplayground.yml), and two windows on it
 * (scripts/playground/view.ts): Riley Requester's and Alex Approver's. All on 127.0.0.1 and
 * offline; prints the URLs and runs until Ctrl+C. Logs go to .playground/ (gitignored).
 *
 * Environment: PLAYGROUND_PORT (Riley's window, default 56150, or a free port if taken),
 * PLAYGROUND_APPROVER_PORT (Alex's window, default: the next port); ACRBOT_* and LOG_LEVEL are
 * passed to the bot (e.g. ACRBOT_STORAGE=sqlite:.playground/acrbot.db keeps requests).
 */
import path from 'node:path';
import { type PlaygroundView, startView } from './playground/view';
import { freePort, REPO_ROOT, type Stack, startStack, tail } from './playground/stack';
import { tabLinkLines } from './playground/tab-links';

async function portOr(preferred: number | undefined, fallback: () => Promise<number>): Promise<number> {
  if (!preferred) return fallback();
  const { createServer } = await import('node:net');
  const free = await new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(preferred, '127.0.0.1', () => s.close(() => resolve(true)));
  });
  return free ? preferred : fallback();
}

async function main(): Promise<void> {
  const workDir = path.join(REPO_ROOT, '.playground');
  const botEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k, v]) => v !== undefined && (/^ACRBOT_/.test(k) || k === 'LOG_LEVEL')) as [
      string,
      string,
    ][],
  );

  process.stdout.write('Starting acrbot (sandbox) and Microsoft 365 Agents Playground…\n');
  let stack: Stack | undefined;
  const views: PlaygroundView[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await Promise.all(views.map((v) => v.stop().catch(() => undefined)));
    await stack?.stop().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    // The Playground itself on a free port; the two windows people open on 56150 and 56151.
    stack = await startStack({ workDir, botEnv });
    const rileyPort = await portOr(Number(process.env.PLAYGROUND_PORT ?? 56150), freePort);
    views.push(await startView(stack.playgroundUrl, { port: rileyPort }));
    const alexPort = await portOr(Number(process.env.PLAYGROUND_APPROVER_PORT ?? rileyPort + 1), freePort);
    views.push(await startView(stack.playgroundUrl, { as: 'Alex Approver', port: alexPort }));
  } catch (err) {
    process.stderr.write(`\nCould not start: ${(err as Error).message}\n`);
    await stopAll(1);
    return;
  }

  const rel = (p: string) => path.relative(process.cwd(), p) || p;
  const [riley, alex] = views;
  process.stdout.write(
    [
      '',
      'acrbot sandbox in Microsoft 365 Agents Playground (127.0.0.1 only, offline; SANDBOX: emulated Azure)',
      '',
      `  Open as Riley Requester (requester):  ${riley.url}`,
      `  Open as Alex Approver (approver):     ${alex.url}`,
      '  Open both before you start, one window each, and do not reload them: a Playground window',
      '  only shows messages that arrive while it is open.',
      '',
      '  1. Riley, team Platform, channel General, new post (type @acr and pick acrbot):',
      '       @acrbot grant aks-prod contosoacr deploy payments-api',
      '  2. The approval card appears in channel approvals. Riley presses Approve: refused.',
      '  3. Alex presses Approve: the card shows Executing…, then Granted everywhere;',
      '     Riley gets the outcome card with the manifest snippet in the request thread.',
      '  4. Riley: help, status R-… (Personal Chat). Alex, new post in approvals: @acrbot audit R-…',
      '',
      '  The Teams tab opens in a browser (the Playground cannot host it):',
      ...tabLinkLines(stack.botEndpoint),
      '',
      `  Behind them (not a window to open): Playground ${stack.playgroundUrl} (pid ${stack.playgroundPid}); bot ${stack.botEndpoint} (pid ${stack.botPid})`,
      `  Logs: ${rel(stack.logs.bot)}, ${rel(stack.logs.playground)}, ${rel(stack.logs.playgroundInternal)}`,
      '',
      'Ctrl+C stops everything.',
      '',
    ].join('\n'),
  );

  const reason = await stack.exited;
  if (stopping) return;
  process.stderr.write(`\n${reason}\n${tail(stack.logs.bot, 1500)}\n`);
  await stopAll(1);
}

void main();
