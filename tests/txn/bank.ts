/**
 * The bank invariant: `accounts` rows start at 1000 each; concurrent sessions move money between
 * two random accounts in transactions (read both balances, write both, commit) while reader
 * sessions check, each in its own transaction, that the total and the number of accounts never
 * change. A transfer that fails with 40001 (serialization failure) or 40P01 (deadlock) is rolled
 * back and retried from the start, up to a cap; the retries are counted by SQLSTATE.
 *
 * At REPEATABLE READ and SERIALIZABLE the writes are absolute (`balance = <read value> - n`):
 * only snapshot isolation's write-conflict check keeps the total right, so this probes it. At
 * READ COMMITTED, where PostgreSQL lets the second writer overwrite (a lost update), the writes
 * are relative (`balance = balance - n`), which READ COMMITTED keeps right.
 *
 * @module
 */
import { Database } from "../../mod.ts";
import { SeededRandom } from "../../core/env/random.ts";
import { openSession, sqlState } from "./_session.ts";

/** What the bank needs of a session: embedded, or another server's over the wire. */
export interface BankSession {
  query(sql: string): Promise<
    {
      readonly rows: readonly (readonly unknown[])[];
      readonly command: string;
      readonly rowCount: number | null;
    }
  >;
  close(): Promise<void>;
}

/** Isolation levels a bank run can use. */
export type BankIsolation = "read committed" | "repeatable read" | "serializable";

/**
 * Options of {@link runBank}. Give `db` (left open), `path` (opened and closed here) or `connect`
 * (sessions of another server, e.g. PostgreSQL over the wire, to measure the peer).
 */
export interface BankOptions {
  readonly db?: Database;
  readonly path?: string;
  readonly connect?: () => Promise<BankSession>;
  /** Concurrent transfer sessions. */
  readonly sessions: number;
  /** Accounts, ids 1..accounts, 1000 each when created. */
  readonly accounts: number;
  /** Transfers to commit (abandoned ones count against it too). */
  readonly transfers: number;
  readonly seed: number;
  /** Default `repeatable read`. */
  readonly isolation?: BankIsolation;
  /** Reader sessions checking the invariant while transfers run. Default 1. */
  readonly readers?: number;
  /** Create the table and its rows (dropping an old one). Default true. */
  readonly create?: boolean;
  /** Attempts of one transfer before it is abandoned. Default 100. */
  readonly attemptsMax?: number;
  /** With no commit, retry or check for this long, the run stops as stalled. Default 30 s. */
  readonly stallMs?: number;
  /** Called after each committed transfer with the number committed so far. */
  readonly onCommit?: (committed: number) => void;
  /** Called for each invariant violation a reader sees. */
  readonly onViolation?: (message: string) => void;
}

/** What a run saw. */
export interface BankStats {
  readonly transfersCommitted: number;
  /** Transfers given up after `attemptsMax` attempts. */
  readonly transfersAbandoned: number;
  /** Rolled-back attempts, by SQLSTATE (40001, 40P01). */
  readonly retries: Readonly<Record<string, number>>;
  /** Reader transactions that failed with 40001/40P01 (read-only ones can, at SERIALIZABLE). */
  readonly readerRetries: number;
  /** Invariant checks done (the final one included). */
  readonly checks: number;
  /** Checks that saw a wrong sum or count. Must be 0. */
  readonly violations: number;
  /** The first few violations, spelled out. */
  readonly violationSamples: readonly string[];
  /** Errors other than 40001/40P01 (transfers) and their statements. Must be empty. */
  readonly errors: readonly string[];
  /** The run stopped because nothing progressed for `stallMs` (a hang). */
  readonly stalled: boolean;
  readonly elapsedMs: number;
  readonly transfersPerSecond: number;
}

/** The balance every account starts with. */
export const initialBalance = 1000;

/** Violations and errors spelled out in {@link BankStats}, at most. */
const samplesMax = 10;

/** SQLSTATEs after which a transfer is retried. */
const retryable = new Set(["40001", "40P01"]);

/** Creates `accounts` with `n` rows of {@link initialBalance}, replacing an older table. */
export async function createAccounts(
  session: { query(sql: string): Promise<unknown> },
  n: number,
): Promise<void> {
  await session.query("drop table if exists accounts");
  await session.query("create table accounts (id int primary key, balance bigint not null)");
  const values = Array.from({ length: n }, (_, i) => `(${i + 1}, ${initialBalance})`);
  await session.query(`insert into accounts (id, balance) values ${values.join(", ")}`); // atomic
}

/** `sum(balance)` and `count(*)` of `accounts`, as bigints. */
export async function totals(
  query: (sql: string) => Promise<{ rows: readonly (readonly unknown[])[] }>,
): Promise<{ sum: bigint; count: bigint }> {
  const row = (await query("select sum(balance), count(*) from accounts")).rows[0];
  return { sum: BigInt(String(row?.[0] ?? 0)), count: BigInt(String(row?.[1] ?? 0)) };
}

/** The first value of the first row, as a bigint. */
function firstBigInt(rows: readonly (readonly unknown[])[], what: string): bigint {
  const v = rows[0]?.[0];
  if (v === undefined || v === null) throw new Error(`${what}: no row`);
  return BigInt(String(v));
}

/** Runs the bank; see the module comment. */
export async function runBank(options: BankOptions): Promise<BankStats> {
  if (options.connect !== undefined) return await run(options.connect, options);
  if (options.db === undefined && options.path === undefined) {
    throw new Error("runBank needs db, path or connect");
  }
  const db = options.db ?? await Database.open({ path: options.path! });
  try {
    return await run(() => Promise.resolve(openSession(db)), options);
  } finally {
    if (options.db === undefined) await db.close();
  }
}

async function run(connect: () => Promise<BankSession>, options: BankOptions): Promise<BankStats> {
  const isolation = options.isolation ?? "repeatable read";
  const attemptsMax = options.attemptsMax ?? 100;
  const stallMs = options.stallMs ?? 30_000;
  const expectedSum = BigInt(options.accounts * initialBalance);
  const expectedCount = BigInt(options.accounts);
  const absolute = isolation !== "read committed";

  if (options.create ?? true) {
    const admin = await connect();
    try {
      await createAccounts(admin, options.accounts);
    } finally {
      await admin.close();
    }
  }

  let claimed = 0, committed = 0, abandoned = 0, checks = 0, violations = 0, readerRetries = 0;
  const retries: Record<string, number> = {};
  const violationSamples: string[] = [];
  const errors: string[] = [];
  let lastProgress = performance.now();
  let writersDone = false;
  let stalled = false;
  const progress = () => lastProgress = performance.now();
  const error = (text: string) => {
    if (errors.length < samplesMax) errors.push(text);
  };
  const check = (sum: bigint, count: bigint, where: string) => {
    checks++;
    progress();
    if (sum === expectedSum && count === expectedCount) return;
    violations++;
    const text = `${where}: sum ${sum} (expected ${expectedSum}), count ${count} ` +
      `(expected ${expectedCount}) after ${committed} transfers`;
    if (violationSamples.length < samplesMax) violationSamples.push(text);
    options.onViolation?.(text);
  };

  /** One attempt: `null` when committed, else the SQLSTATE (or message) it failed with. */
  const attempt = async (s: BankSession, from: number, to: number, amount: number) => {
    let sql = `begin isolation level ${isolation}`;
    try {
      await s.query(sql);
      sql = `select balance from accounts where id = ${from}`;
      const a = firstBigInt((await s.query(sql)).rows, sql);
      sql = `select balance from accounts where id = ${to}`;
      const b = firstBigInt((await s.query(sql)).rows, sql);
      for (const [id, value, delta] of [[from, a, -amount], [to, b, amount]] as const) {
        sql = absolute
          ? `update accounts set balance = ${value + BigInt(delta)} where id = ${id}`
          : `update accounts set balance = balance + (${delta}) where id = ${id}`;
        const r = await s.query(sql);
        if (r.rowCount !== 1) throw new Error(`${sql}: ${r.rowCount} rows`);
      }
      sql = "commit";
      const end = await s.query(sql);
      if (!/^COMMIT\b/i.test(end.command)) throw new Error(`commit answered ${end.command}`);
      return null;
    } catch (e) {
      await s.query("rollback").catch(() => {});
      const code = sqlState(e);
      if (code !== undefined && retryable.has(code)) return code;
      return `${sql}: ${code ?? ""} ${e instanceof Error ? e.message : String(e)}`;
    }
  };

  const writer = async (index: number) => {
    const random = new SeededRandom((options.seed * 7919 + index) >>> 0);
    const s = await connect();
    try {
      while (claimed < options.transfers && !stalled) {
        claimed++;
        const from = 1 + random.nextUint32() % options.accounts;
        let to = 1 + random.nextUint32() % (options.accounts - 1);
        if (to >= from) to++;
        const amount = 1 + random.nextUint32() % 100;
        let done = false;
        for (let n = 0; n < attemptsMax && !done && !stalled; n++) {
          const failure = await attempt(s, from, to, amount);
          progress();
          if (failure === null) {
            done = true;
            committed++;
            options.onCommit?.(committed);
          } else if (retryable.has(failure)) {
            retries[failure] = (retries[failure] ?? 0) + 1;
          } else {
            error(failure);
            break;
          }
        }
        if (!done) abandoned++;
      }
    } finally {
      await s.close();
    }
  };

  const reader = async () => {
    const s = await connect();
    try {
      while (!writersDone && !stalled) {
        try {
          await s.query(`begin isolation level ${isolation}`);
          const t = await totals((sql) => s.query(sql));
          await s.query("commit");
          check(t.sum, t.count, "reader");
        } catch (e) {
          await s.query("rollback").catch(() => {});
          const code = sqlState(e);
          if (code !== undefined && retryable.has(code)) readerRetries++;
          else {
            error(`reader: ${code ?? ""} ${e instanceof Error ? e.message : String(e)}`);
            break;
          }
        }
      }
    } finally {
      await s.close();
    }
  };

  const started = performance.now();
  let watchdog: ReturnType<typeof setInterval> | undefined;
  const stall = new Promise<void>((resolve) => {
    watchdog = setInterval(() => {
      if (performance.now() - lastProgress < stallMs) return;
      stalled = true;
      resolve();
    }, Math.min(500, stallMs));
  });
  const writers = Promise.all(Array.from({ length: options.sessions }, (_, i) => writer(i)))
    .finally(() => writersDone = true);
  const readers = Array.from({ length: options.readers ?? 1 }, () => reader());
  try {
    await Promise.race([Promise.all([writers, ...readers]), stall]);
  } finally {
    clearInterval(watchdog);
  }
  const elapsedMs = performance.now() - started;
  if (!stalled) {
    const s = await connect();
    try {
      const t = await totals((sql) => s.query(sql));
      check(t.sum, t.count, "after the run");
    } finally {
      await s.close();
    }
  }
  return {
    transfersCommitted: committed,
    transfersAbandoned: abandoned,
    retries,
    readerRetries,
    checks,
    violations,
    violationSamples,
    errors,
    stalled,
    elapsedMs,
    transfersPerSecond: committed / (elapsedMs / 1000),
  };
}

/** One line: `500 transfers in 1.2 s (416/s), retries 40001=12 40P01=1, 0 violations in 80 checks`. */
export function summary(stats: BankStats): string {
  const retries = Object.entries(stats.retries).map(([k, v]) => `${k}=${v}`).join(" ") || "none";
  return `${stats.transfersCommitted} transfers in ${(stats.elapsedMs / 1000).toFixed(1)} s ` +
    `(${Math.round(stats.transfersPerSecond)}/s), retries ${retries}, ` +
    `${stats.transfersAbandoned} abandoned, ${stats.violations} violations in ${stats.checks} ` +
    `checks, ${stats.errors.length} errors${stats.stalled ? ", STALLED" : ""}`;
}
