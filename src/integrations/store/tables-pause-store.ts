/**
 * The pause of new access in Azure Table Storage: one entity (`PartitionKey` = `new-access`,
 * `RowKey` = '') in its own table, `state` `paused` (with the pause) or `lifted`. Every write
 * is conditional (a create, or a replace under the ETag read) and carries a random `claim`: when
 * a write is refused (409/412) the entity is read again, and one with our claim is our own write
 * whose answer was lost and resent by the SDK; anything else is another instance's, decided again
 * on that fresh read. So racing instances put one pause in force, lift it once, and each knows
 * whether it was theirs (an amend, a replace of the pause's record while it is the one read,
 * likewise). Lifting replaces the entity rather than deleting it: a deleted entity
 * would carry no claim to tell our lost delete from another instance's.
 */
import { randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { samePause } from '../../domain/access-pause';
import { samePauseRecord } from '../../domain/pause-record';
import type { AccessPause, PauseIdentity, PauseOutcome, PauseStore } from '../../domain/ports';
import { docProperties, findEntity, isConflict, readDoc, statusOf } from './tables-client';
import type { Entity } from './tables-rest';
import { tableRest } from './tables-rest';

const PARTITION = 'new-access';
/** Fresh decisions after a lost race before giving up; a pause is changed by people, rarely at once. */
const MAX_ATTEMPTS = 10;

const inForce = (row: Entity | undefined): AccessPause | undefined =>
  row && row.state !== 'lifted' ? readDoc<AccessPause>(row) : undefined;

/** Azure Tables-backed {@link PauseStore}. */
export class TablesPauseStore implements PauseStore {
  constructor(private readonly table: TableClient) {}

  async current(): Promise<AccessPause | undefined> {
    return inForce(await this.read());
  }

  async pause(pause: AccessPause): Promise<PauseOutcome> {
    const claim = randomUUID();
    const entity = { partitionKey: PARTITION, rowKey: '', state: 'paused', claim, ...docProperties(pause) };
    return this.decide<PauseOutcome>(claim, (row) => {
      const current = inForce(row);
      if (current) return { done: { applied: false, pause: current } };
      return {
        write: () => (row ? tableRest(this.table).replace(entity, row.etag) : tableRest(this.table).create(entity)),
        done: { applied: true, pause },
      };
    });
  }

  async resume(expected?: PauseIdentity): Promise<AccessPause | undefined> {
    const claim = randomUUID();
    return this.decide<AccessPause | undefined>(claim, (row) => {
      const current = inForce(row);
      if (!row || !current || (expected && !samePause(current, expected))) return { done: undefined };
      const lifted = { partitionKey: PARTITION, rowKey: '', state: 'lifted', claim };
      return { write: () => tableRest(this.table).replace(lifted, row.etag), done: current };
    });
  }

  async amend(expected: AccessPause, next: AccessPause): Promise<AccessPause | undefined> {
    const claim = randomUUID();
    const entity = { partitionKey: PARTITION, rowKey: '', state: 'paused', claim, ...docProperties(next) };
    return this.decide<AccessPause | undefined>(claim, (row) => {
      const current = inForce(row);
      if (!row || !current || !samePauseRecord(current, expected) || !samePause(next, expected))
        return { done: undefined };
      return { write: () => tableRest(this.table).replace(entity, row.etag), done: next };
    });
  }

  /**
   * Reads the entity, asks `step` what to do, writes, and on a refused write reads again: our
   * claim there means our write was applied (its answer lost), else decide anew.
   */
  private async decide<T>(
    claim: string,
    step: (row: Entity | undefined) => { write?: () => Promise<unknown>; done: T },
  ): Promise<T> {
    let row = await this.read();
    let refused: unknown;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { write, done } = step(row);
      if (!write) return done;
      try {
        await write();
        return done;
      } catch (err) {
        refused = err;
        // 409/412 (or 404, the entity gone) lost a race or answer a resend of our own write; any
        // other failure (a 5xx after the SDK's retries, a reset) may also come after the service
        // applied it. Either way our claim on a fresh read says it was ours.
        const lostRace = isConflict(err) || statusOf(err) === 404;
        try {
          row = await this.read();
        } catch (readErr) {
          // Neither the write's fate nor the row is known: both errors go on, the write's first.
          throw new AggregateError(
            [err, readErr],
            'the pause of new access was written or not: reading it back failed',
          );
        }
        if (row?.claim === claim) return done;
        if (!lostRace) throw err;
      }
    }
    throw new Error('the pause of new access changed on every attempt; try again', { cause: refused });
  }

  private read(): Promise<Entity | undefined> {
    return findEntity(this.table, PARTITION, '');
  }
}
