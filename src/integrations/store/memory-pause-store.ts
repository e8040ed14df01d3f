/** The pause of new access in process memory (ACRBOT_STORAGE=memory, tests). */
import { samePause } from '../../domain/access-pause';
import { samePauseRecord } from '../../domain/pause-record';
import type { AccessPause, PauseIdentity, PauseOutcome, PauseStore } from '../../domain/ports';

/** {@link PauseStore} in a field; check and write happen with no await between them, so they are atomic. */
export class MemoryPauseStore implements PauseStore {
  private inForce: AccessPause | undefined;

  async current(): Promise<AccessPause | undefined> {
    return this.inForce && { ...this.inForce };
  }

  async pause(pause: AccessPause): Promise<PauseOutcome> {
    if (this.inForce) return { applied: false, pause: { ...this.inForce } };
    this.inForce = { ...pause };
    return { applied: true, pause: { ...pause } };
  }

  async resume(expected?: PauseIdentity): Promise<AccessPause | undefined> {
    const lifted = this.inForce;
    if (!lifted || (expected && !samePause(lifted, expected))) return undefined;
    this.inForce = undefined;
    return lifted;
  }

  async amend(expected: AccessPause, next: AccessPause): Promise<AccessPause | undefined> {
    if (!this.inForce || !samePauseRecord(this.inForce, expected) || !samePause(next, expected)) return undefined;
    this.inForce = { ...next };
    return { ...next };
  }
}
