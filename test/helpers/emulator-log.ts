/**
 * Events of the ARM and Graph emulators' request handling, for tests that wait on them instead
 * of on time.
 */
import type { RecordingEmulator } from '../../src/sandbox/recording-emulator';

/** Resolves with the status of the next request `emulator` logs (logged once it is answered). */
export function nextLogged(emulator: RecordingEmulator): Promise<number> {
  const record = emulator.log.record.bind(emulator.log);
  return new Promise((resolve) => {
    jest.spyOn(emulator.log, 'record').mockImplementation((entry) => {
      record(entry);
      resolve(entry.status);
    });
  });
}
