/**
 * WAL checkpoints for one SQLite connection, on a worker thread instead of the event loop.
 *
 * Why: in WAL mode SQLite copies the log back into the database file (a checkpoint) inside the
 * commit that takes the log past 1,000 pages, on whichever connection made that commit. With
 * `synchronous = NORMAL` that is the only place a commit waits on the disk: the checkpoint
 * writes the database pages and syncs the log and the file. On acrbot's connection that commit
 * runs on the JavaScript thread, so every turn in the process waited for it (P8,
 * docs/performance.md round nine: about half of the commit time in a 200-flow burst).
 *
 * How: once a connection has made {@link CheckpointerOptions.startAfterCommits} group commits
 * (a process that writes little never starts a thread), a worker opens its own connection to
 * the same file and runs `PRAGMA wal_checkpoint(PASSIVE)` when commits happened since its last
 * one, at most every {@link CheckpointerOptions.intervalMs}. Only when the worker is ready does
 * the main connection turn its own automatic checkpoints off. PASSIVE never waits for readers
 * or writers and never takes the write lock, so the main connection's commits are not held up.
 *
 * What does not change: durability (a commit is in the log when it returns; checkpoints move
 * committed pages and lose nothing if they stop) and crash recovery (SQLite replays the log on
 * the next open). If the worker fails, the main connection takes its automatic checkpoints back
 * and the failure is reported once through `onError`.
 */
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { commitGroupOf } from './sqlite-commit-group';
import type { SqliteDatabase } from './sqlite-database';

/** How long {@link WalCheckpointer.stop} waits for the worker to close its connection. */
const STOP_TIMEOUT_MS = 5000;

/** SQLite's own threshold, in pages: what the main connection returns to if the worker fails. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

/** How the checkpointer is tuned (defaults suit the bot; tests shorten them). */
export interface CheckpointerOptions {
  /** Reports a worker that failed (its error as `cause`); automatic checkpoints are back on. */
  onError(err: Error): void;
  /** Group commits on the connection before the worker starts. Default 100. */
  startAfterCommits?: number;
  /** The shortest time between two checkpoints, in ms. Default 200. */
  intervalMs?: number;
  /** The better-sqlite3 module the worker loads (tests pass a missing one). */
  sqliteModule?: string;
}

/** What one checkpoint did (`PRAGMA wal_checkpoint`'s row). */
export interface CheckpointResult {
  /** Frames in the log. */
  log: number;
  /** Frames of it now in the database file. */
  checkpointed: number;
}

/**
 * The worker's code, run with `eval` so it needs no file of its own next to the compiled
 * module (tests run the TypeScript sources, the bot runs `dist/`). Plain CommonJS; the
 * better-sqlite3 path is resolved by the parent, since an eval'd worker resolves from `cwd`.
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqliteModule);
const db = new Database(workerData.path, { fileMustExist: true });
const commits = new Int32Array(workerData.commits);
let seen = Atomics.load(commits, 0);
let behind = true;
const timer = setInterval(() => {
  const now = Atomics.load(commits, 0);
  if (now === seen && !behind) return;
  seen = now;
  const [row] = db.pragma('wal_checkpoint(PASSIVE)');
  // A reader still using old frames leaves part of the log behind: try again next time.
  behind = row.checkpointed < row.log;
  if (row.checkpointed > 0) parentPort.postMessage({ type: 'checkpoint', log: row.log, checkpointed: row.checkpointed });
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
parentPort.postMessage({ type: 'ready' });
`;

type WorkerMessage = { type: 'ready' } | ({ type: 'checkpoint' } & CheckpointResult);

/**
 * Moves a file-backed connection's WAL checkpoints to a worker thread: counts the commits of the
 * connection's commit group from now on. Call {@link WalCheckpointer.stop} before closing it.
 */
export function attachWalCheckpointer(db: SqliteDatabase, options: CheckpointerOptions): WalCheckpointer {
  const checkpointer = new WalCheckpointer(db, options);
  commitGroupOf(db).onCommit = () => checkpointer.noteCommit();
  return checkpointer;
}

/**
 * One connection's checkpoint worker ({@link attachWalCheckpointer} wires it to the connection's
 * commits). Emits `ready` when the worker has taken over and `checkpoint`
 * ({@link CheckpointResult}) after each checkpoint that moved frames; a failure goes to
 * {@link CheckpointerOptions.onError}.
 */
export class WalCheckpointer extends EventEmitter {
  /** Commits since this checkpointer was attached; the worker reads it to skip idle rounds. */
  private readonly counter = new Int32Array(new SharedArrayBuffer(4));
  private worker?: Worker;
  private state: 'waiting' | 'starting' | 'running' | 'stopped' | 'failed' = 'waiting';

  constructor(
    private readonly db: SqliteDatabase,
    private readonly options: CheckpointerOptions,
  ) {
    super();
  }

  /** Counts a commit; starts the worker at the threshold. Cheap enough for every commit. */
  noteCommit(): void {
    const commits = Atomics.add(this.counter, 0, 1) + 1;
    if (this.state === 'waiting' && commits >= (this.options.startAfterCommits ?? 100)) this.start();
  }

  /**
   * Stops counting commits and stops the worker (it closes its connection, then exits); safe to
   * call more than once. A worker that has not exited after {@link STOP_TIMEOUT_MS} (a checkpoint
   * stuck on the disk) is terminated: shutdown must end, and a checkpoint cut short loses nothing.
   */
  async stop(): Promise<void> {
    if (this.db.open) commitGroupOf(this.db).onCommit = undefined;
    const worker = this.worker;
    const wasActive = this.state === 'starting' || this.state === 'running';
    this.state = 'stopped';
    if (!worker || !wasActive) return;
    // Referenced again while it stops: an unreferenced worker's exit does not keep the loop
    // alive, and a process with nothing else to do would end here, in the middle of its shutdown.
    worker.ref();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const overdue = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
    worker.postMessage('stop');
    await exited;
    clearTimeout(overdue);
  }

  /** The worker thread, for tests that make it fail. @internal */
  get workerForTests(): Worker | undefined {
    return this.worker;
  }

  private start(): void {
    this.state = 'starting';
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        path: this.db.name,
        commits: this.counter.buffer,
        intervalMs: this.options.intervalMs ?? 200,
        sqliteModule: this.options.sqliteModule ?? require.resolve('better-sqlite3'),
      },
    });
    this.worker = worker;
    worker.on('message', (message: WorkerMessage) => this.onMessage(message));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => {
      if (this.state !== 'stopped') this.fail(new Error(`the worker exited with code ${code}`));
    });
    // The bot's shutdown stops it; until then it must not keep a finished process alive. After
    // the listeners: adding a 'message' listener references the worker's port again.
    worker.unref();
  }

  private onMessage(message: WorkerMessage): void {
    if (message.type === 'ready') {
      // Stopped, or its connection closed without a stop (a caller's mistake): nothing to hand over.
      if (this.state !== 'starting' || !this.db.open) return;
      this.state = 'running';
      this.db.pragma('wal_autocheckpoint = 0');
      this.emit('ready');
    } else {
      this.emit('checkpoint', { log: message.log, checkpointed: message.checkpointed });
    }
  }

  private fail(cause: Error): void {
    if (this.state === 'stopped' || this.state === 'failed') return;
    this.state = 'failed';
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
    void this.worker?.terminate();
    const err = new Error(
      `The SQLite checkpoint worker for ${this.db.name} failed; checkpoints run on the main thread again`,
      { cause },
    );
    this.options.onError(err);
  }
}
