/**
 * Preload for investigations (`BENCH_EXTRA_PRELOAD=bench/.build/bench/workers/alloc-preload.js`
 * with bench/tools/profile-flows.ts): the first SIGUSR2 starts V8's sampling heap profiler
 * keeping every allocation (objects a scavenge or a full GC collected too), the second stops it
 * and writes `BENCH_PROFILE_DIR/<pid>-<n>.heapprofile`: where the bytes allocated over the
 * window were allocated. Summarise with bench/tools/heapprofile-summary.ts.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const session = new Session();
session.connect();
let running = false;
let count = 0;

process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('HeapProfiler.enable', () =>
      session.post('HeapProfiler.startSampling', {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      }),
    );
    return;
  }
  running = false;
  session.post('HeapProfiler.stopSampling', (err, result) => {
    if (err) return;
    const file = join(process.env.BENCH_PROFILE_DIR ?? '.', `${process.pid}-${++count}.heapprofile`);
    writeFileSync(file, JSON.stringify(result.profile));
    process.stderr.write(`BENCH_HEAP_PROFILE ${file}\n`);
  });
});
