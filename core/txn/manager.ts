/**
 * The transaction manager: hands out transaction ids and marks, knows which transaction owns a
 * mark, detects deadlocks among waiting writers, keeps the recent commits that SERIALIZABLE
 * validation checks against, and computes the horizon (the oldest snapshot still in use).
 *
 * @module
 */
import { DbError, SqlState } from "../errors.ts";
import { type Isolation, Transaction } from "./transaction.ts";

/** A commit that SERIALIZABLE transactions validate against. */
interface CommitRecord {
  readonly lsn: bigint;
  readonly tables: ReadonlySet<number>;
}

/**
 * Active transactions of a database.
 *
 * @example
 * ```ts
 * import { TransactionManager } from "./manager.ts";
 * const m = new TransactionManager(100);
 * const a = m.begin("repeatable read", false, true, 0);
 * const b = m.begin("read committed", false, true, 0);
 * const mark = m.newMark(a);
 * console.assert(m.ownerOf(mark) === a);
 * m.startWaiting(b, a);
 * let deadlock = false;
 * try { m.startWaiting(a, b); } catch { deadlock = true; }
 * console.assert(deadlock);
 * ```
 */
export class TransactionManager {
  readonly #active = new Map<number, Transaction>();
  readonly #markOwner = new Map<number, Transaction>();
  #nextId = 1;
  #nextMark = 1;
  #commits: CommitRecord[] = [];

  constructor(
    /** Open transactions at most (`transactionsOpenMax`). */
    readonly openMax: number,
  ) {}

  /**
   * Starts a transaction; 54000 past `openMax`. An unregistered one (`register` false) is not
   * among the active transactions: only for a lone query that runs to its end inside one
   * exclusive section, where no commit, horizon move or conflict check can meet it.
   */
  begin(
    isolation: Isolation,
    readOnly: boolean,
    explicit: boolean,
    nowMs: number,
    register = true,
  ): Transaction {
    if (!register) return new Transaction(this.#nextId++, isolation, readOnly, explicit, nowMs);
    if (this.#active.size >= this.openMax) {
      throw new DbError(
        SqlState.programLimitExceeded,
        `too many open transactions (${this.openMax}, the limit transactionsOpenMax)`,
        { hint: "commit or roll back idle transactions, or raise the limit" },
      );
    }
    const t = new Transaction(this.#nextId++, isolation, readOnly, explicit, nowMs);
    this.#active.set(t.id, t);
    return t;
  }

  /** A new mark for a statement of `t`. */
  newMark(t: Transaction): number {
    const m = this.#nextMark++;
    this.#markOwner.set(m, t);
    t.allocatedMarks.push(m);
    return m;
  }

  /** The mark the next call of {@link newMark} returns (savepoints start there). */
  get nextMark(): number {
    return this.#nextMark;
  }

  /** The active transaction that owns a mark, or `null`. */
  ownerOf(mark: number): Transaction | null {
    const t = this.#markOwner.get(mark);
    return t !== undefined && this.#active.has(t.id) ? t : null;
  }

  /** Active transactions. */
  get active(): Iterable<Transaction> {
    return this.#active.values();
  }

  get activeCount(): number {
    return this.#active.size;
  }

  /**
   * Records that `waiter` waits for `holder`; 40P01 when that closes a cycle (the waiter is
   * the victim).
   */
  startWaiting(waiter: Transaction, holder: Transaction): void {
    for (let t: Transaction | null = holder; t !== null; t = t.waitingFor) {
      if (t === waiter) {
        throw new DbError("40P01", "deadlock detected", {
          detail:
            `Transaction ${waiter.id} waits for transaction ${holder.id}, which waits for transaction ${waiter.id}.`,
          hint: "See server log for query details.",
        });
      }
    }
    waiter.waitingFor = holder;
  }

  /** Ends a transaction: forgets it and its marks. */
  end(t: Transaction, committed: boolean): void {
    this.#active.delete(t.id);
    for (const m of t.allocatedMarks) this.#markOwner.delete(m);
    t.waitingFor = null;
    t.finish(committed);
    this.#trimCommits();
  }

  /** Remembers a commit's written tables while a SERIALIZABLE transaction may check it. */
  noteCommit(lsn: bigint, tables: ReadonlySet<number>): void {
    if (tables.size === 0) return;
    for (const t of this.#active.values()) {
      if (t.isolation === "serializable") {
        this.#commits.push({ lsn, tables });
        return;
      }
    }
  }

  /**
   * SERIALIZABLE validation at commit: 40001 when a transaction committed after `t`'s snapshot
   * wrote a table `t` read (so `t`'s reads might differ from a serial order). Table granularity:
   * safe, with more aborts than PostgreSQL's predicate locks. Checked again before each write
   * (`aboutToWrite`), so a doomed transaction fails at its first write, not only at COMMIT.
   */
  validate(t: Transaction, aboutToWrite = false): void {
    if (t.isolation !== "serializable" || t.snapshot === null) return;
    // a transaction that wrote nothing read one consistent snapshot of a serial history (the
    // writers' commit order): it is serializable as of its snapshot, with no check
    if (!aboutToWrite && t.writtenTables.size === 0 && t.marks.size === 0) return;
    for (const c of this.#commits) {
      if (c.lsn <= t.snapshot) continue;
      for (const id of c.tables) {
        if (t.readTables.has(id)) {
          throw new DbError(
            SqlState.serializationFailure,
            "could not serialize access due to read/write dependencies among transactions",
            {
              detail: "Reason code: Canceled on commit attempt, as a concurrent transaction " +
                "committed a write to a table this transaction read.",
              hint: "The transaction might succeed if retried.",
            },
          );
        }
      }
    }
  }

  /** The oldest snapshot an active transaction holds, or `latest` when none holds an older one. */
  horizon(latest: bigint): bigint {
    let h = latest;
    for (const t of this.#active.values()) {
      if (t.snapshot !== null && t.snapshot < h) h = t.snapshot;
    }
    return h;
  }

  #trimCommits(): void {
    let oldest: bigint | null = null;
    for (const t of this.#active.values()) {
      // one without a snapshot yet needs no commit made before it takes one
      if (t.isolation !== "serializable" || t.snapshot === null) continue;
      if (oldest === null || t.snapshot < oldest) oldest = t.snapshot;
    }
    if (oldest === null) this.#commits = [];
    else this.#commits = this.#commits.filter((c) => c.lsn > oldest!);
  }
}
