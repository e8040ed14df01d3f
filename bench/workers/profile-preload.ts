/**
 * Preload for investigations (`node -r …/profile-preload.js dist/index.js`): the first SIGUSR2
 * starts the V8 CPU profiler, the second stops it and writes `BENCH_PROFILE_DIR/<pid>-<n>.cpuprofile`.
 * Unlike `--cpu-prof`, this profiles only the steady-state window (no start-up), so two bots can
 * be compared per turn. Summarise with bench/tools/cpuprofile-summary.ts.
 */
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const session = new Session();
session.connect();
let running = false;
let count = 0;

process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () => session.post('Profiler.start'));
    return;
  }
  running = false;
  session.post('Profiler.stop', (err, result) => {
    if (err) return;
    const file = join(process.env.BENCH_PROFILE_DIR ?? '.', `${process.pid}-${++count}.cpuprofile`);
    writeFileSync(file, JSON.stringify(result.profile));
    process.stderr.write(`BENCH_PROFILE ${file}\n`);
  });
});
