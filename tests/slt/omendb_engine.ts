/**
 * The {@link OpenEngine} over OmenDB's embedded `Database`: a fresh in-memory database, or a
 * durable one in the given fresh directory.
 *
 * A durable database is not left to answer everything from memtables: every
 * {@link durableCycleStatements} statements the adapter runs one step of a fixed cycle, so that
 * later records read Parquet segments, a replayed WAL, or both:
 *
 * 1. `CHECKPOINT` (memtables become segments; the database stays open);
 * 2. a simulated crash: the data directory is copied as it is (WAL not checkpointed, LOCK file
 *    included) and the copy is opened, which replays the WAL; the original is closed and removed;
 * 3. a clean restart: close (which checkpoints) and open the same directory again.
 *
 * Steps 2 and 3 lose session state (`SET` values, `currval`), so after a file's first `SET`,
 * `RESET` or `currval`/`lastval` call, every step is a `CHECKPOINT`. A step that fails fails the
 * record that triggered it, with the step named in the message.
 *
 * @module
 */
import { Database } from "../../mod.ts";
import type { EngineOpenOptions, SltEngine } from "./engine.ts";

/** Statements between two durability steps of a durable database. */
export const durableCycleStatements = 20;
/** The first durability step comes after this many statements (small files get one too). */
export const durableFirstStepStatements = 5;

type DurableStep = "checkpoint" | "crash_reopen" | "restart";
const durableSteps: readonly DurableStep[] = ["checkpoint", "crash_reopen", "restart"];

/** SQL that leaves session state a reopened database would not have. */
const sessionStatePattern = /^\s*(SET|RESET)\b|\b(currval|lastval|setseed)\s*\(/i;

async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyDir(`${from}/${e.name}`, `${to}/${e.name}`);
    else if (e.isFile) await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}

/** Opens a fresh OmenDB database for one test file. */
export async function openEngine(options: EngineOpenOptions): Promise<SltEngine> {
  if (options.storage === "memory") {
    const db = await Database.open({ memory: true });
    return {
      query: (sql, opts) => runQuery(db, sql, opts.timeoutMs),
      close: () => db.close(),
    };
  }
  let dir = options.dir;
  let db = await Database.open({ path: dir });
  let statements = 0;
  let steps = 0;
  let sessionState = false;
  let crashes = 0;

  const step = async (): Promise<void> => {
    const kind = sessionState ? "checkpoint" : durableSteps[steps % durableSteps.length]!;
    steps++;
    try {
      switch (kind) {
        case "checkpoint":
          await db.query("CHECKPOINT");
          return;
        case "crash_reopen": {
          const copy = `${options.dir}.crash${++crashes}`;
          await copyDir(dir, copy);
          await db.close();
          if (dir !== options.dir) await Deno.remove(dir, { recursive: true });
          dir = copy;
          db = await Database.open({ path: dir });
          return;
        }
        case "restart":
          await db.close();
          db = await Database.open({ path: dir });
          return;
      }
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      err.message = `durable step ${kind} after statement ${statements} failed: ${err.message}`;
      throw err;
    }
  };

  return {
    async query(sql, opts) {
      if (sessionStatePattern.test(sql)) sessionState = true;
      statements++;
      let result;
      try {
        result = await runQuery(db, sql, opts.timeoutMs);
      } finally {
        const due = statements >= durableFirstStepStatements &&
          (statements - durableFirstStepStatements) % durableCycleStatements === 0;
        if (due) await step();
      }
      return result;
    },
    async close() {
      await db.close();
      if (dir !== options.dir) await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

async function runQuery(db: Database, sql: string, timeoutMs: number) {
  const r = await db.query(sql, [], { timeoutMs });
  return {
    columns: r.columns,
    rows: r.rows,
    command: r.command,
    rowCount: r.rowCount,
    timeZone: db.timeZone.name,
  };
}
