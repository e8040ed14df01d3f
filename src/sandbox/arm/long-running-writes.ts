/**
 * Token and scope map creates that ACR has accepted and not finished (CONTRACTS §2.3). By
 * default the emulator finishes every create before it answers (200/201, `Succeeded`, no async
 * header). A test holds the next create of an operation ({@link LongRunningWrites.hold}): its PUT
 * answers 201 with `provisioningState: Creating` and an `Azure-AsyncOperation` header, whose
 * status reads `InProgress` until the test finishes it; meanwhile a GET shows the resource
 * `Creating` (ARM's contract for an accepted PUT) and a DELETE is refused 409 `Conflict`, as ARM
 * refuses a write on a resource another operation holds. Two rarer orders can be asked for: a
 * create the provider has accepted but not stored yet (GET 404, DELETE 204), and a DELETE that
 * is answered as done while the create, finishing later, puts the resource back.
 */
import { randomUUID } from 'node:crypto';
import { HttpError } from '../http-util';

/** `properties.provisioningState` of a token or scope map (records without one are `Succeeded`). */
export type ProvisioningState = 'Creating' | 'Succeeded' | 'Failed';

/** A token or scope map record, as far as a held create touches it. */
export interface ProvisionedRecord {
  name: string;
  provisioningState?: ProvisioningState;
}

/** Which creates to hold, and how the resource behaves until they finish. */
export interface HoldRule {
  operation: 'tokens.create' | 'scopeMaps.create';
  /** Only creates whose path contains this text (case-insensitive), e.g. a token name. */
  pathIncludes?: string;
  /**
   * false: the provider accepted the PUT (201 `Creating`) but has not stored the resource yet:
   * GET answers 404 and DELETE 204 until the create finishes. Default true: GET shows `Creating`.
   */
  visible?: boolean;
  /**
   * A DELETE while the resource is `Creating`: `conflict` (default) is refused 409, as ARM
   * refuses a write while another operation holds the resource; `overtaken` is answered 200 as
   * if it had deleted it, and the create, finishing later, stores the resource again.
   */
  deleteWhileCreating?: 'conflict' | 'overtaken';
}

/** One held create, as the test drives it. */
export interface HeldCreate {
  /** Resolves once the PUT was accepted (answered 201 `Creating`). */
  readonly accepted: Promise<void>;
  /** Ends the operation: the resource is stored (again) in `state` and the status says so. */
  finish(state?: 'Succeeded' | 'Failed'): void;
}

interface Operation {
  id: string;
  rule: HoldRule;
  status: 'InProgress' | 'Succeeded' | 'Failed';
  startTime: string;
  endTime?: string;
  record?: ProvisionedRecord;
  /** Puts the record back into its registry's map (when it finishes, or was hidden). */
  store?: () => void;
  accept: () => void;
  /** Set by {@link HeldCreate.finish} before the PUT came: applied when it comes. */
  finishedEarly?: 'Succeeded' | 'Failed';
}

/** The held creates of one ARM emulator (on its state, so routes and tests share them). */
export class LongRunningWrites {
  private readonly waiting: Operation[] = [];
  private readonly operations = new Map<string, Operation>();
  private readonly byRecord = new WeakMap<ProvisionedRecord, Operation>();

  /** Holds the next create matching `rule` (one create per call). */
  hold(rule: HoldRule): HeldCreate {
    let accept!: () => void;
    const accepted = new Promise<void>((resolve) => (accept = resolve));
    const op: Operation = {
      id: `${rule.operation.split('.')[0]}-${randomUUID()}`,
      rule,
      status: 'InProgress',
      startTime: '',
      accept,
    };
    this.waiting.push(op);
    return { accepted, finish: (state = 'Succeeded') => this.finish(op, state) };
  }

  /** Forgets every hold that has not caught a create yet (held creates in flight stay). */
  clear(): void {
    this.waiting.splice(0);
  }

  /**
   * Called by a create route for a new resource: when a hold matches, the record is marked
   * `Creating` (stored now when the rule keeps it visible, else when it finishes) and the
   * operation id is returned for the `Azure-AsyncOperation` header; otherwise undefined and the
   * route stores the record as `Succeeded` itself.
   */
  begin(operation: string, path: string, record: ProvisionedRecord, store: () => void): string | undefined {
    const index = this.waiting.findIndex(
      ({ rule }) =>
        rule.operation === operation &&
        (rule.pathIncludes === undefined || path.toLowerCase().includes(rule.pathIncludes.toLowerCase())),
    );
    if (index < 0) return undefined;
    const [op] = this.waiting.splice(index, 1) as [Operation];
    Object.assign(op, { record, store, startTime: new Date().toISOString() });
    record.provisioningState = 'Creating';
    this.operations.set(op.id, op);
    this.byRecord.set(record, op);
    if (op.rule.visible !== false) store();
    op.accept();
    if (op.finishedEarly) this.finish(op, op.finishedEarly);
    return op.id;
  }

  /**
   * Called by a delete or re-PUT route before it changes `record`: throws ARM's 409 while a
   * create holds it (rule `conflict`); true when the write goes ahead.
   */
  allowWrite(record: ProvisionedRecord): true {
    const op = this.byRecord.get(record);
    if (record.provisioningState !== 'Creating' || !op || op.rule.deleteWhileCreating === 'overtaken') return true;
    throw new HttpError(
      409,
      'Conflict',
      `The operation cannot be performed: another operation on '${record.name}' is in progress. Retry once it has finished.`,
    );
  }

  /** The status of operation `id` (the `Azure-AsyncOperation` body), or undefined if unknown. */
  status(id: string): Record<string, unknown> | undefined {
    const op = this.operations.get(id);
    if (!op) return undefined;
    return {
      id,
      name: id,
      status: op.status,
      startTime: op.startTime,
      ...(op.endTime ? { endTime: op.endTime } : {}),
      ...(op.status === 'Failed'
        ? { error: { code: 'InternalServerError', message: `Creating '${op.record?.name}' failed.` } }
        : {}),
    };
  }

  private finish(op: Operation, state: 'Succeeded' | 'Failed'): void {
    if (!op.record || !op.store) {
      op.finishedEarly = state;
      return;
    }
    if (op.status !== 'InProgress') return;
    op.status = state;
    op.endTime = new Date().toISOString();
    op.record.provisioningState = state;
    // Stored whatever happened meanwhile: a hidden create appears now, and one a DELETE
    // overtook comes back (the race a clean-up must not take for "gone").
    op.store();
  }
}
