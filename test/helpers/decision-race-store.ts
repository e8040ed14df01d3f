/**
 * A memory request store that makes two decisions on one request really overlap (G8): the
 * writes that take the request out of pending are held until the given number of them wait,
 * so each decision has read the request before any of them writes. Which one then wins is left
 * to the store's conditional write alone, the only guard two instances share.
 */
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import type { AccessRequest } from '../../src/domain/request';

interface Race {
  requestId: string;
  count: number;
  waiting: number;
  open(): void;
  opened: Promise<void>;
}

/** A {@link MemoryRequestStore} whose decision writes can be held for a race (see the file's comment). */
export class DecisionRaceStore extends MemoryRequestStore {
  private race?: Race;

  /**
   * Holds the next `count` writes of request `requestId` that leave pending until all of them
   * wait, then lets them through in the order they came. A decision that never writes (refused
   * before it) leaves the others waiting: the test then fails on its timeout, not silently.
   */
  holdDecisions(requestId: string, count = 2): void {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    this.race = { requestId, count, waiting: 0, open, opened };
  }

  override async update(next: AccessRequest): Promise<void> {
    const race = this.race;
    if (race && next.id === race.requestId && next.state !== 'pending') {
      race.waiting += 1;
      if (race.waiting === race.count) {
        this.race = undefined;
        race.open();
      }
      await race.opened;
    }
    return super.update(next);
  }
}
