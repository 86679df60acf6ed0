/**
 * One transaction's private state: its isolation level and snapshot, the rows it inserted (kept
 * here until COMMIT), the pending-delete marks it put on stored rows, its savepoints, and what
 * it read (for SERIALIZABLE validation).
 *
 * A mark is a positive integer naming one statement of one transaction (see
 * `StorageEngine.markRows`); every statement gets a fresh one, so a statement, a savepoint or
 * the whole transaction is undone by dropping the marks it created and truncating the private
 * rows back to where they were.
 *
 * @module
 */
import type { Batch } from "../types/batch.ts";
import { takeColumn } from "../types/column.ts";

/** The isolation levels OmenDB runs (READ UNCOMMITTED runs as READ COMMITTED, as in PostgreSQL). */
export type Isolation = "read committed" | "repeatable read" | "serializable";

/** Rows a transaction inserted into one table, not yet committed. */
export interface PrivateRows {
  /** Batches in insertion order, columns in the table's column order. */
  readonly batches: Batch[];
  /** Per batch and row: the mark of the statement that deleted the row again, 0 = live. */
  readonly deletedBy: Float64Array[];
  /** Per batch: the mark of the statement that inserted it. */
  readonly insertedBy: number[];
}

/** A savepoint (named, or the implicit one around each statement). */
export interface Savepoint {
  readonly name: string;
  /** Marks at or above this were created after the savepoint. */
  readonly markFloor: number;
  /** Private batches per table id when the savepoint was taken. */
  readonly batches: ReadonlyMap<number, number>;
}

/**
 * A transaction.
 *
 * @example
 * ```ts
 * import { Transaction } from "./transaction.ts";
 * import { columnFromValues } from "../types/column.ts";
 * import { Types } from "../types/data_type.ts";
 * const t = new Transaction(1, "repeatable read", false, true, 0);
 * t.addRows(7, { columns: [columnFromValues(Types.int4, [1, 2])], length: 2 }, 10);
 * console.assert(t.visibleRows(7)[0]!.length === 2);
 * const sp = t.savepoint("a", 11);
 * t.deletePrivate(7, [0], 11);
 * console.assert(t.visibleRows(7)[0]!.length === 1);
 * t.rollbackTo(sp);
 * console.assert(t.visibleRows(7)[0]!.length === 2);
 * ```
 */
export class Transaction {
  /** `failed` after an error inside a block: only ROLLBACK (or COMMIT, which rolls back) goes. */
  state: "active" | "failed" = "active";
  /** The snapshot LSN (REPEATABLE READ and SERIALIZABLE), taken at the first statement. */
  snapshot: bigint | null = null;
  /** Whether its first statement already waited for syncing commits before the snapshot. */
  waitedForSnapshot = false;
  /** Whether a query or DML statement ran (SET TRANSACTION ISOLATION LEVEL must come first). */
  queried = false;
  /** Every mark handed to this transaction's statements (used or not), for the manager. */
  readonly allocatedMarks: number[] = [];
  /** Live marks of this transaction (rows it deleted but has not committed). */
  readonly marks = new Set<number>();
  /** Rows inserted, by table id. */
  readonly inserts = new Map<number, PrivateRows>();
  /** Named savepoints, innermost last. */
  readonly savepoints: Savepoint[] = [];
  // the collections below are made on first use: a transaction that only reads needs none
  #readTables: Set<number> | null = null;
  #writtenTables: Set<number> | null = null;
  #removedKeys: Map<number, Map<string, string[]>> | null = null;
  #privateKeys: Map<string, Set<string>> | null = null;
  #done: Promise<void> | null = null;
  #resolveDone: (() => void) | null = null;

  /** Tables this transaction read (SERIALIZABLE validation). */
  get readTables(): Set<number> {
    return this.#readTables ??= new Set();
  }
  /** Tables this transaction wrote. */
  get writtenTables(): Set<number> {
    return this.#writtenTables ??= new Set();
  }
  /** Keys of unique indexes among the stored rows each live mark deleted: mark → index → keys. */
  get removedKeys(): Map<number, Map<string, string[]>> {
    return this.#removedKeys ??= new Map();
  }
  /** Cached unique keys of the live private rows: `${tableId}\u0000${index}` → keys. */
  get privateKeys(): Map<string, Set<string>> {
    return this.#privateKeys ??= new Map();
  }
  /** Resolves when the transaction ends (committed or rolled back). */
  get done(): Promise<void> {
    if (this.#done === null) {
      if (this.ended) this.#done = Promise.resolve();
      else {
        const { promise, resolve } = Promise.withResolvers<void>();
        this.#done = promise;
        this.#resolveDone = resolve;
      }
    }
    return this.#done;
  }
  /** The transaction this one waits for (deadlock detection), while a statement waits. */
  waitingFor: Transaction | null = null;
  /** Whether it ended, and whether by COMMIT. */
  ended = false;
  committed = false;

  constructor(
    /** Unique among the database's transactions. */
    readonly id: number,
    /** Changes only by SET TRANSACTION before the first statement. */
    public isolation: Isolation,
    public readOnly: boolean,
    /**
     * Started by BEGIN (a block), or implicitly around one statement or one multi-statement
     * message; BEGIN inside a message's implicit block makes that block explicit.
     */
    public explicit: boolean,
    /** Monotonic milliseconds (the clock of the database) when it began. */
    readonly startedMs: number,
  ) {}

  /** Marks the transaction ended, waking whoever waits for it. */
  finish(committed: boolean): void {
    this.ended = true;
    this.committed = committed;
    this.#resolveDone?.();
  }

  /** Records that `mark` (a statement's, from the manager's counter) now hides rows. */
  useMark(mark: number): void {
    this.marks.add(mark);
  }

  /** Adds inserted rows of table `tableId` by the statement with mark `mark`. */
  addRows(tableId: number, batch: Batch, mark: number): void {
    if (batch.length === 0) return;
    let p = this.inserts.get(tableId);
    if (p === undefined) {
      this.inserts.set(tableId, p = { batches: [], deletedBy: [], insertedBy: [] });
    }
    p.batches.push(batch);
    p.deletedBy.push(new Float64Array(batch.length));
    p.insertedBy.push(mark);
    this.writtenTables.add(tableId);
    this.#forgetKeys(tableId);
  }

  /** Deletes private rows by their index among the visible private rows of the table. */
  deletePrivate(tableId: number, visibleIndexes: readonly number[], mark: number): void {
    if (visibleIndexes.length === 0) return;
    const p = this.inserts.get(tableId)!;
    this.marks.add(mark);
    let k = 0, seen = 0;
    for (let b = 0; b < p.batches.length && k < visibleIndexes.length; b++) {
      const dead = p.deletedBy[b]!;
      for (let i = 0; i < dead.length && k < visibleIndexes.length; i++) {
        if (this.#isDead(dead[i]!)) continue;
        if (visibleIndexes[k] === seen) {
          dead[i] = mark;
          k++;
        }
        seen++;
      }
    }
    this.#forgetKeys(tableId);
  }

  #isDead(mark: number): boolean {
    return mark !== 0 && this.marks.has(mark);
  }

  /** The live private rows of a table, as batches (all columns). */
  visibleRows(tableId: number): Batch[] {
    const p = this.inserts.get(tableId);
    if (p === undefined) return [];
    const out: Batch[] = [];
    p.batches.forEach((b, k) => {
      const dead = p.deletedBy[k]!;
      let live = 0;
      for (let i = 0; i < b.length; i++) if (!this.#isDead(dead[i]!)) live++;
      if (live === b.length) out.push(b);
      else if (live > 0) {
        const idx = new Uint32Array(live);
        let n = 0;
        for (let i = 0; i < b.length; i++) if (!this.#isDead(dead[i]!)) idx[n++] = i;
        out.push({ columns: b.columns.map((c) => takeColumn(c, idx)), length: live });
      }
    });
    return out;
  }

  /** Number of live private rows of a table. */
  visibleCount(tableId: number): number {
    let n = 0;
    for (const b of this.visibleRows(tableId)) n += b.length;
    return n;
  }

  /** Takes a savepoint; `nextMark` is the next mark the manager will hand out. */
  savepoint(name: string, nextMark: number): Savepoint {
    const batches = new Map<number, number>();
    for (const [id, p] of this.inserts) batches.set(id, p.batches.length);
    return { name, markFloor: nextMark, batches };
  }

  /**
   * Undoes everything after `sp` in this transaction's private state; returns the marks to
   * drop from storage.
   */
  rollbackTo(sp: Savepoint): Set<number> {
    const dropped = new Set<number>();
    for (const m of this.marks) if (m >= sp.markFloor) dropped.add(m);
    for (const m of dropped) {
      this.marks.delete(m);
      this.removedKeys.delete(m);
    }
    for (const [id, p] of this.inserts) {
      const keep = sp.batches.get(id) ?? 0;
      p.batches.length = keep;
      p.deletedBy.length = keep;
      p.insertedBy.length = keep;
      for (const dead of p.deletedBy) {
        for (let i = 0; i < dead.length; i++) if (dropped.has(dead[i]!)) dead[i] = 0;
      }
      if (keep === 0) this.inserts.delete(id);
      this.#forgetKeys(id);
    }
    return dropped;
  }

  /** Everything to commit: live private rows per table. */
  tablesWithRows(): number[] {
    return [...this.inserts.keys()].filter((id) => this.visibleCount(id) > 0);
  }

  #forgetKeys(tableId: number): void {
    const keys = this.#privateKeys;
    if (keys === null) return;
    for (const k of [...keys.keys()]) {
      if (k.startsWith(`${tableId}\u0000`)) keys.delete(k);
    }
  }
}

/**
 * Thrown inside the engine when a statement meets a row or key that `holder` changed and has
 * not committed: the statement is undone and runs again once `holder` ends (never reaches a
 * user).
 */
export class WaitForTransaction extends Error {
  constructor(readonly holder: Transaction) {
    super(`waits for transaction ${holder.id}`);
  }
}
