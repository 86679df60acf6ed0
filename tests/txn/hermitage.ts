/**
 * Replays Hermitage's transaction-isolation cases (tests/data/hermitage/cases.json, see the README
 * beside the source copy and NOTICE.md) on any SQL sessions: the embedded `Database.session()`
 * now, PostgreSQL-wire connections later. Scoring lives in hermitage_score.ts.
 *
 * A replay sends each step on its transaction's session, in order. A statement that has not
 * answered after `blockMs` is recorded as blocked and the replay goes on with the next step
 * (always on another session). After every step the pending statements get `releaseMs` to settle;
 * one that does is recorded as released by that step. When a step targets a session whose
 * statement is still pending, the replay waits up to `hangMs` for it; if it never answers, that
 * is a hang and the session is given up. At the end: pending answers are collected, every
 * session sends `rollback` and is closed, and `select * from test order by id` on a fresh session
 * reads the final state.
 *
 * @module
 */

/** The isolation levels the cases run at. */
export const isolationLevels = ["read committed", "repeatable read", "serializable"] as const;

/** One of {@link isolationLevels}. */
export type IsolationLevel = typeof isolationLevels[number];

/** The 15 Hermitage scripts (`variant` in cases.json). */
export const hermitageVariants = [
  "G0",
  "G1a",
  "G1b",
  "G1c",
  "OTV",
  "PMP",
  "PMP-write",
  "P4",
  "G-single",
  "G-single-dependencies",
  "G-single-write-1",
  "G-single-write-2",
  "G2-item",
  "G2",
  "G2-two-edges",
] as const;

/** One of {@link hermitageVariants}. */
export type HermitageVariant = typeof hermitageVariants[number];

/** PostgreSQL's verdict on a case: whether its level stops the anomaly. */
export type PostgresVerdict = "prevented" | "not prevented" | "not applicable";

/** The transactions of a script; `either` is a read after both ended, sent on T1. */
export type StepTx = "T1" | "T2" | "T3" | "either";

/** A session of a replay: one per transaction. */
export type SessionName = "T1" | "T2" | "T3";

/** What PostgreSQL answered to a step. */
export type HermitageExpect =
  | { readonly ok: true; readonly rowcount?: number; readonly command?: string }
  | { readonly rows: readonly (readonly number[])[] }
  | { readonly error: string; readonly message?: string }
  | {
    readonly blocks: true;
    readonly unblocked_by_step: number;
    readonly then: HermitageExpect;
  };

/** One statement of a script. */
export interface HermitageStep {
  readonly step: number;
  readonly tx: StepTx;
  readonly sql: string;
  readonly expect: HermitageExpect;
  readonly hermitage_comment?: string;
}

/** One case of cases.json (a script at one isolation level). */
export interface HermitageCase {
  readonly id: string;
  readonly anomaly: string;
  readonly anomaly_name: string;
  readonly variant: HermitageVariant;
  readonly isolation_level: IsolationLevel;
  readonly postgres_verdict: PostgresVerdict;
  readonly postgres_verdict_by_level: Readonly<Record<IsolationLevel, PostgresVerdict>>;
  readonly description: string;
  readonly anomaly_observed_if: string;
  readonly source: Readonly<Record<string, unknown>>;
  readonly setup: readonly string[];
  readonly steps: readonly HermitageStep[];
  readonly final_state: readonly (readonly number[])[];
}

/** One statement's result, as any SQL session returns it. */
export interface SqlResult {
  readonly command: string;
  readonly rows: readonly (readonly unknown[])[];
  readonly rowCount: number | null;
}

/**
 * The session a replay drives. Errors are thrown with a string `.code` holding the SQLSTATE
 * (OmenDB's DbError and the pg driver's errors both do).
 */
export interface SqlSession {
  /** Runs every statement of `sql` (one simple-Query message); one result per statement. */
  queryAll(sql: string): Promise<readonly SqlResult[]>;
  close(): Promise<void>;
}

/** How a replay waits; all in milliseconds. */
export interface ReplayOptions {
  /** No answer after this long: the statement is blocked. Default 150. */
  readonly blockMs?: number;
  /** After each step, how long pending statements get to settle. Default 100. */
  readonly releaseMs?: number;
  /** How long to wait for a pending statement before calling it a hang. Default 3000. */
  readonly hangMs?: number;
}

/**
 * The waits of the tests and of hermitage_main.ts, longer than the defaults (150 ms, 100 ms):
 * the default test run is parallel on a loaded box, and a slow statement taken for a blocked one
 * would show up as a deviation.
 */
export const testReplayOptions: ReplayOptions = { blockMs: 250, releaseMs: 150 };

/** What one step answered. */
export type StepOutcome =
  | {
    readonly kind: "ok";
    /** The last statement's command tag (`UPDATE 1`, `COMMIT`, `SET`). */
    readonly command: string;
    readonly rowCount: number | null;
    readonly rows: readonly (readonly unknown[])[];
  }
  | { readonly kind: "error"; readonly code: string; readonly message: string }
  /** It never answered, not even `hangMs` after it was due. */
  | { readonly kind: "hang" }
  /** Not sent, because an earlier statement of its session hung. */
  | { readonly kind: "not-sent" };

/** A step's answer and how it came. */
export interface StepAnswer {
  readonly step: number;
  readonly session: SessionName;
  readonly sql: string;
  /** It had not answered `blockMs` after it was sent. */
  readonly blocked: boolean;
  /** For a blocked step: the step after which it answered (`null` when it never did). */
  readonly releasedBy: number | null;
  readonly outcome: StepOutcome;
}

/** A replay's record: what the scoring reads. */
export interface Replay {
  readonly caseId: string;
  /** One per step, in step order. */
  readonly answers: readonly StepAnswer[];
  /** `select * from test order by id` after all sessions ended, or the error it gave. */
  readonly finalState:
    | { readonly ok: true; readonly rows: readonly (readonly unknown[])[] }
    | { readonly ok: false; readonly error: string };
  /**
   * For a SERIALIZABLE case whose `begin` was refused with 0A000: whether a REPEATABLE READ
   * transaction was accepted on the same database (so the refusal is of SERIALIZABLE alone).
   */
  readonly serializableRefused: boolean;
}

/** The default location of the cases. */
export const defaultCasesUrl = new URL("../data/hermitage/cases.json", import.meta.url);

/** Reads and checks cases.json: each case's variant, level and steps. */
export async function loadCases(url: URL = defaultCasesUrl): Promise<HermitageCase[]> {
  const cases = JSON.parse(await Deno.readTextFile(url)) as HermitageCase[];
  for (const c of cases) {
    if (!(hermitageVariants as readonly string[]).includes(c.variant)) {
      throw new Error(`${c.id}: unknown Hermitage variant ${c.variant}`);
    }
    if (!(isolationLevels as readonly string[]).includes(c.isolation_level)) {
      throw new Error(`${c.id}: unknown isolation level ${c.isolation_level}`);
    }
    c.steps.forEach((s, i) => {
      if (s.step !== i + 1) throw new Error(`${c.id}: step ${i + 1} is numbered ${s.step}`);
    });
  }
  return cases;
}

/** The session a step runs on. */
export function sessionOf(step: HermitageStep): SessionName {
  return step.tx === "either" ? "T1" : step.tx;
}

/** A statement that starts a transaction (`begin; set transaction isolation level ...`). */
export function isBegin(sql: string): boolean {
  return /^\s*(begin|start\s+transaction)\b/i.test(sql);
}

/** A statement that ends a transaction, and how. */
export function endOf(sql: string): "commit" | "rollback" | null {
  if (/^\s*(commit|end)\b/i.test(sql)) return "commit";
  if (/^\s*(rollback|abort)\b/i.test(sql)) return "rollback";
  return null;
}

/** A statement sent and not yet recorded. */
interface Sent {
  readonly step: HermitageStep;
  readonly session: SessionName;
  readonly done: Promise<void>;
  outcome: StepOutcome | null;
}

/** Resolves after `ms`, or as soon as every one of `promises` has settled. */
function waitAll(promises: readonly Promise<unknown>[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    Promise.allSettled(promises).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The outcome of an error thrown by a session. */
function errorOutcome(e: unknown): StepOutcome {
  const code = (e as { code?: unknown } | null)?.code;
  return {
    kind: "error",
    code: typeof code === "string" ? code : "?????",
    message: e instanceof Error ? e.message : String(e),
  };
}

/** Sends `step` on `session`; the returned record fills in its outcome when it answers. */
function send(session: SqlSession, step: HermitageStep, name: SessionName): Sent {
  const sent: Sent = {
    step,
    session: name,
    outcome: null,
    done: session.queryAll(step.sql).then(
      (results) => {
        const last = results.at(-1);
        sent.outcome = {
          kind: "ok",
          command: last?.command ?? "",
          rowCount: last?.rowCount ?? null,
          rows: last?.rows ?? [],
        };
      },
      (e: unknown) => {
        sent.outcome = errorOutcome(e);
      },
    ),
  };
  return sent;
}

/** Runs `sql` with a time limit; `false` when it failed or did not answer in time. */
async function tryQuery(session: SqlSession, sql: string, ms: number): Promise<boolean> {
  let ok = false;
  await waitAll([session.queryAll(sql).then(() => ok = true, () => {})], ms);
  return ok;
}

/** Closes a session, giving up after `ms`. */
async function tryClose(session: SqlSession, ms: number): Promise<void> {
  await waitAll([session.close().catch(() => {})], ms);
}

/**
 * Replays one case. `connect` opens a new session on the database under test (it must already
 * exist); the replay opens one per transaction, plus one for setup, the refusal probe and the
 * final read, and closes all of them.
 *
 * @example
 * ```ts ignore
 * const db = await Database.open({ memory: true });
 * const replay = await replayCase(c, () => Promise.resolve(openSession(db)));
 * ```
 */
export async function replayCase(
  c: HermitageCase,
  connect: () => Promise<SqlSession>,
  options: ReplayOptions = {},
): Promise<Replay> {
  const blockMs = options.blockMs ?? 150;
  const releaseMs = options.releaseMs ?? 100;
  const hangMs = options.hangMs ?? 3000;

  const admin = await connect();
  try {
    for (const sql of ["drop table if exists test", ...c.setup]) {
      try {
        await admin.queryAll(sql);
      } catch (e) {
        throw new Error(`${c.id}: setup statement failed: ${sql}: ${errorText(e)}`);
      }
    }
  } finally {
    await tryClose(admin, hangMs);
  }

  const sessions = new Map<SessionName, SqlSession>();
  for (const step of c.steps) {
    const name = sessionOf(step);
    if (!sessions.has(name)) sessions.set(name, await connect());
  }
  const answers = new Map<number, StepAnswer>();
  const pending = new Map<SessionName, Sent>();
  const hung = new Set<SessionName>();
  let lastStep = 0;

  const record = (sent: Sent, blocked: boolean, releasedBy: number | null) => {
    answers.set(sent.step.step, {
      step: sent.step.step,
      session: sent.session,
      sql: sent.step.sql,
      blocked,
      releasedBy,
      outcome: sent.outcome ?? { kind: "hang" },
    });
  };
  /** Waits up to hangMs for a pending statement; records it either way. */
  const collect = async (name: SessionName) => {
    const sent = pending.get(name);
    if (sent === undefined) return;
    pending.delete(name);
    await waitAll([sent.done], hangMs);
    if (sent.outcome === null) {
      hung.add(name);
      record(sent, true, null);
    } else record(sent, true, lastStep);
  };

  for (const step of c.steps) {
    const name = sessionOf(step);
    await collect(name);
    if (hung.has(name)) {
      answers.set(step.step, {
        step: step.step,
        session: name,
        sql: step.sql,
        blocked: false,
        releasedBy: null,
        outcome: { kind: "not-sent" },
      });
      continue;
    }
    const sent = send(sessions.get(name)!, step, name);
    await waitAll([sent.done], blockMs);
    if (sent.outcome === null) pending.set(name, sent);
    else record(sent, false, null);
    lastStep = step.step;
    // did this step release anything? (a blocked step had its blockMs to do so already)
    const others = [...pending.values()].filter((p) => p !== sent);
    if (others.length > 0 && sent.outcome !== null) {
      await waitAll(others.map((p) => p.done), releaseMs);
    }
    for (const other of others) {
      if (other.outcome === null) continue;
      pending.delete(other.session);
      record(other, true, step.step);
    }
  }
  for (const name of [...pending.keys()]) await collect(name);

  for (const [name, session] of sessions) {
    if (!hung.has(name)) await tryQuery(session, "rollback", hangMs);
    await tryClose(session, hangMs);
  }

  let serializableRefused = false;
  if (c.isolation_level === "serializable") {
    const refused = [...answers.values()].some((a) =>
      isBegin(a.sql) && a.outcome.kind === "error" && a.outcome.code === "0A000"
    );
    if (refused) {
      const probe = await connect();
      serializableRefused = await tryQuery(
        probe,
        "begin; set transaction isolation level repeatable read;",
        hangMs,
      ) && await tryQuery(probe, "rollback", hangMs);
      await tryClose(probe, hangMs);
    }
  }

  const reader = await connect();
  let finalState: Replay["finalState"];
  try {
    const results = await reader.queryAll("select * from test order by id");
    finalState = { ok: true, rows: results.at(-1)?.rows ?? [] };
  } catch (e) {
    finalState = { ok: false, error: errorText(e) };
  } finally {
    await tryClose(reader, hangMs);
  }

  return {
    caseId: c.id,
    answers: c.steps.map((s) => answers.get(s.step)!),
    finalState,
    serializableRefused,
  };
}

/** `CODE message` of an error. */
function errorText(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  return typeof code === "string" ? `${code} ${message}` : message;
}

/** A step's answer in a line: `waits until step 6, then UPDATE 1`, `error 40001`, `rows [[1,10]]`. */
export function describeAnswer(answer: StepAnswer): string {
  const o = answer.outcome;
  let what: string;
  switch (o.kind) {
    case "ok":
      what = /^SELECT\b/i.test(o.command) ? `rows ${formatRows(o.rows)}` : commandTag(o);
      break;
    case "error":
      what = `error ${o.code}`;
      break;
    case "hang":
      what = "no answer (hang)";
      break;
    case "not-sent":
      what = "not sent (its session hung)";
      break;
    default: {
      const never: never = o;
      throw new Error(`unknown outcome ${String(never)}`);
    }
  }
  if (!answer.blocked || o.kind === "hang") return what;
  return `waits until step ${answer.releasedBy}, then ${what}`;
}

/** The full command tag; the pg driver gives only the verb of `UPDATE n`, `INSERT 0 n`... */
function commandTag(o: { command: string; rowCount: number | null }): string {
  if (o.rowCount === null || !/^(INSERT|UPDATE|DELETE|MERGE)$/i.test(o.command)) return o.command;
  return /^INSERT$/i.test(o.command) ? `INSERT 0 ${o.rowCount}` : `${o.command} ${o.rowCount}`;
}

/** A row as numbers where the cell is numeric (drivers may send text), else as text. */
export function normalizeRow(row: readonly unknown[]): (number | string | null)[] {
  return row.map((v) => {
    if (v === null || v === undefined) return null;
    if (typeof v === "number") return v;
    if (typeof v === "bigint") return Number(v);
    const s = String(v);
    return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s;
  });
}

/** Rows normalized and sorted (the cases' queries have no ORDER BY: compare as sets). */
export function sortedRows(rows: readonly (readonly unknown[])[]): (number | string | null)[][] {
  return rows.map(normalizeRow).sort((a, b) => {
    const x = JSON.stringify(a), y = JSON.stringify(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** `[[1,10],[2,20]]`. */
export function formatRows(rows: readonly (readonly unknown[])[]): string {
  return JSON.stringify(sortedRows(rows));
}

/** A transcript of a replay, one line per step, for failure messages. */
export function transcript(c: HermitageCase, replay: Replay): string {
  const lines = replay.answers.map((a) => {
    const step = c.steps[a.step - 1]!;
    return `  ${String(a.step).padStart(2)} ${step.tx.padEnd(6)} ${a.sql.padEnd(58)} ${
      describeAnswer(a)
    }`;
  });
  const final = replay.finalState.ok
    ? formatRows(replay.finalState.rows)
    : `error ${replay.finalState.error}`;
  lines.push(`  final state: ${final}`);
  return lines.join("\n");
}
