/**
 * The pause of new access in Azure Table Storage: one entity (`PartitionKey` = `new-access`,
 * `RowKey` = '') in its own table while it is in force. Pause is a create (409 when one is in
 * force: read it); resume reads the entity and deletes it under the ETag read (412: it changed,
 * read again), so instances lift one pause once.
 */
import type { TableClient } from '@azure/data-tables';
import type { AccessPause, PauseStore } from '../../domain/ports';
import { docProperties, findEntity, isConflict, readDoc, statusOf } from './tables-client';
import { tableRest } from './tables-rest';

const PARTITION = 'new-access';
/** Re-reads after a lost race before giving up; a pause is changed by people, rarely at once. */
const MAX_ATTEMPTS = 5;

/** Azure Tables-backed {@link PauseStore}. */
export class TablesPauseStore implements PauseStore {
  constructor(private readonly table: TableClient) {}

  async current(): Promise<AccessPause | undefined> {
    const row = await findEntity(this.table, PARTITION, '');
    return row && readDoc<AccessPause>(row);
  }

  async pause(pause: AccessPause): Promise<{ applied: boolean; pause: AccessPause }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        await tableRest(this.table).create({ partitionKey: PARTITION, rowKey: '', ...docProperties(pause) });
        return { applied: true, pause };
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
      // 409: a pause is in force; answer it (unless it was lifted meanwhile: try again). It may be
      // this very one, created by a first attempt whose answer was lost and resent by the SDK.
      const inForce = await this.current();
      if (inForce) return { applied: JSON.stringify(inForce) === JSON.stringify(pause), pause: inForce };
    }
    throw new Error('the pause of new access changed on every attempt; try again');
  }

  async resume(): Promise<AccessPause | undefined> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const row = await findEntity(this.table, PARTITION, '');
      if (!row) return undefined;
      try {
        await tableRest(this.table).delete(PARTITION, '', row.etag);
        return readDoc<AccessPause>(row);
      } catch (err) {
        // 404: lifted by another instance; 412: replaced since read. Either way, read again.
        if (statusOf(err) !== 404 && statusOf(err) !== 412) throw err;
      }
    }
    throw new Error('the pause of new access changed on every attempt; try again');
  }
}
