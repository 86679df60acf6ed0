/**
 * The full bank run (`deno task bank`): 100 sessions move money among 1000 accounts, 10,000
 * transfers, in memory and then on a durable data directory that is reopened and checked; then,
 * with `--kill K`, K cycles of the kill -9 mode: bank_writer.ts runs transfers on a data
 * directory in a child process, is killed with SIGKILL once it reported `--kill-after` (or a
 * random number up to it) committed transfers, and the directory is reopened here: the total
 * must be exactly accounts * 1000 and the number of accounts unchanged.
 *
 * ```sh
 * deno task bank                                  # full run, memory + durable
 * deno task bank --kill 20                        # plus 20 kill -9 cycles
 * deno task bank --mode none --kill 5 --kill-after 300 --seed 7
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Database } from "../../mod.ts";
import { SeededRandom } from "../../core/env/random.ts";
import { readLines } from "../crash/crash_loop.ts";
import { connectPg } from "./_pg_session.ts";
import {
  type BankIsolation,
  type BankStats,
  createAccounts,
  initialBalance,
  runBank,
  summary,
  totals,
} from "./bank.ts";

/** Options of {@link runBankKills}. */
export interface BankKillOptions {
  /** The data directory (created and filled with `accounts` here). */
  readonly dir: string;
  readonly cycles: number;
  readonly accounts: number;
  /** Transfer sessions of the writer. */
  readonly sessions: number;
  readonly seed: number;
  readonly isolation?: BankIsolation;
  /** Kill after a random number of committed transfers in 1..killAfterMax. */
  readonly killAfterMax: number;
  /** A writer that has not reached its kill point by then is killed anyway (a problem). */
  readonly cycleTimeoutMs?: number;
  readonly progress?: (line: string) => void;
  /** The writer script; default bank_writer.ts (tests of the loop pass a stand-in). */
  readonly writer?: string;
}

/** What the kill -9 cycles saw. */
export interface BankKillReport {
  /** Times the directory was reopened after a kill. */
  readonly restarts: number;
  /** Transfers the writers reported committed before they were killed, over all cycles. */
  readonly transfersCommitted: number;
  /** Everything wrong, one line each: wrong totals, violations, writers that died. */
  readonly problems: readonly string[];
}

/** Runs the kill -9 cycles; see the module comment. */
export async function runBankKills(options: BankKillOptions): Promise<BankKillReport> {
  const random = new SeededRandom(options.seed);
  const expectedSum = BigInt(options.accounts * initialBalance);
  const problems: string[] = [];
  let restarts = 0, transfersCommitted = 0;
  {
    const db = await Database.open({ path: options.dir });
    try {
      await createAccounts(db, options.accounts);
    } finally {
      await db.close();
    }
  }
  const writer = options.writer ?? new URL("./bank_writer.ts", import.meta.url).pathname;
  for (let cycle = 1; cycle <= options.cycles; cycle++) {
    const killAfter = 1 + random.nextUint32() % options.killAfterMax;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        writer,
        ...["--dir", options.dir, "--accounts", String(options.accounts)],
        ...["--sessions", String(options.sessions), "--seed", String(random.nextUint32())],
        ...["--isolation", options.isolation ?? "repeatable read"],
      ],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).spawn();
    let killed = false, committed = 0;
    const kill = () => {
      if (killed) return;
      killed = true;
      try {
        child.kill("SIGKILL");
      } catch { /* it exited already */ }
    };
    const timeout = setTimeout(() => {
      problems.push(`cycle ${cycle}: ${committed} of ${killAfter} transfers before the timeout`);
      kill();
    }, options.cycleTimeoutMs ?? 60_000);
    const reading = readLines(child.stdout, (line) => {
      const [word, rest] = [line.split(" ", 1)[0], line.slice(line.indexOf(" ") + 1)];
      if (word === "committed") {
        committed = Number(rest);
        if (committed >= killAfter) kill();
      } else if (word === "violation" || word === "error") {
        problems.push(`cycle ${cycle}: writer: ${line}`);
      }
    });
    const stderr = new Response(child.stderr).text();
    const status = await child.status;
    clearTimeout(timeout);
    await reading;
    const errors = await stderr;
    if (!killed || status.signal !== "SIGKILL") {
      problems.push(
        `cycle ${cycle}: the writer ended on its own (code ${status.code}): ${errors.slice(-2000)}`,
      );
    }
    transfersCommitted += committed;
    let db: Database;
    try {
      db = await Database.open({ path: options.dir });
    } catch (e) {
      problems.push(`cycle ${cycle}: reopen after the kill failed: ${e}`);
      break;
    }
    restarts++;
    try {
      const t = await totals((sql) => db.query(sql));
      const ok = t.sum === expectedSum && t.count === BigInt(options.accounts);
      if (!ok) {
        problems.push(
          `cycle ${cycle}: after a kill at ${committed} transfers: sum ${t.sum} (expected ` +
            `${expectedSum}), count ${t.count} (expected ${options.accounts})`,
        );
      }
      for (const p of await db.verify()) problems.push(`cycle ${cycle}: verify: ${p}`);
      options.progress?.(
        `cycle ${cycle}: killed after ${committed} transfers (aimed at ${killAfter}), ` +
          `sum ${t.sum}, count ${t.count}${ok ? "" : ", WRONG"}`,
      );
    } catch (e) {
      problems.push(`cycle ${cycle}: reading the reopened directory failed: ${e}`);
    } finally {
      await db.close();
    }
  }
  return { restarts, transfersCommitted, problems };
}

/** A problem list for a run's stats: violations, errors, stalls, missing transfers. */
function statsProblems(name: string, stats: BankStats, transfers: number): string[] {
  const out: string[] = [];
  if (stats.violations > 0) out.push(`${name}: ${stats.violationSamples.join("; ")}`);
  for (const e of stats.errors) out.push(`${name}: error: ${e}`);
  if (stats.stalled) out.push(`${name}: stalled (no progress)`);
  if (stats.transfersCommitted + stats.transfersAbandoned !== transfers && !stats.stalled) {
    out.push(`${name}: ${stats.transfersCommitted} transfers committed of ${transfers}`);
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      sessions: { type: "string", default: "100" },
      accounts: { type: "string", default: "1000" },
      transfers: { type: "string", default: "10000" },
      readers: { type: "string", default: "2" },
      seed: { type: "string", default: String(Date.now() % 1_000_000) },
      isolation: { type: "string", default: "repeatable read" },
      mode: { type: "string", default: "memory,durable" },
      kill: { type: "string", default: "0" },
      "kill-after": { type: "string", default: "500" },
      "kill-sessions": { type: "string", default: "20" },
      dir: { type: "string" },
      pg: { type: "string" },
    },
  });
  const common = {
    sessions: Number(values.sessions),
    accounts: Number(values.accounts),
    transfers: Number(values.transfers),
    readers: Number(values.readers),
    seed: Number(values.seed),
    isolation: values.isolation as BankIsolation,
  };
  const modes = values.mode.split(",").filter((m) => m !== "none" && m !== "");
  const problems: string[] = [];
  let runs = 0, failedRuns = 0;
  /** Records one run's problems. */
  const ran = (found: readonly string[]) => {
    runs++;
    if (found.length > 0) failedRuns++;
    problems.push(...found);
  };
  console.log(
    `bank: ${common.sessions} sessions, ${common.accounts} accounts, ${common.transfers} ` +
      `transfers, ${common.isolation}, seed ${common.seed}`,
  );
  for (const mode of modes) {
    if (mode === "memory") {
      const db = await Database.open({ memory: true });
      try {
        const stats = await runBank({ db, ...common });
        console.log(`bank memory: ${summary(stats)}`);
        ran(statsProblems("memory", stats, common.transfers));
      } finally {
        await db.close();
      }
    } else if (mode === "durable") {
      const path = await Deno.makeTempDir({ prefix: "omendb-bank-" });
      try {
        const stats = await runBank({ path, ...common });
        const found = statsProblems("durable", stats, common.transfers);
        const db = await Database.open({ path });
        try {
          const t = await totals((sql) => db.query(sql));
          const ok = t.sum === BigInt(common.accounts * initialBalance) &&
            t.count === BigInt(common.accounts);
          console.log(`bank durable: ${summary(stats)}; reopened: sum ${t.sum}, count ${t.count}`);
          if (!ok) found.push(`durable: reopened with sum ${t.sum}, count ${t.count}`);
        } finally {
          await db.close();
        }
        ran(found);
      } finally {
        await Deno.remove(path, { recursive: true });
      }
    } else if (mode === "postgres") {
      // the peer: PostgreSQL over the wire (`--pg host:port`, a socket folder works as host)
      const [host, port] = (values.pg ?? "127.0.0.1:5432").split(":");
      const target = { host: host!, port: Number(port ?? 5432), user: "postgres" };
      const stats = await runBank({ connect: () => connectPg(target), ...common });
      console.log(`bank postgres: ${summary(stats)}`);
      ran(statsProblems("postgres", stats, common.transfers));
    } else throw new Error(`unknown --mode ${mode} (memory, durable, postgres, none)`);
  }

  const cycles = Number(values.kill);
  if (cycles > 0) {
    const dir = values.dir ?? await Deno.makeTempDir({ prefix: "omendb-bank-kill-" });
    const report = await runBankKills({
      dir,
      cycles,
      accounts: common.accounts,
      sessions: Number(values["kill-sessions"]),
      seed: common.seed,
      isolation: common.isolation,
      killAfterMax: Number(values["kill-after"]),
      progress: (line) => console.log(line),
    });
    console.log(
      `bank kill -9: ${report.restarts} restarts, ${report.transfersCommitted} transfers ` +
        `committed before the kills, ${report.problems.length} problems`,
    );
    ran(report.problems);
    if (values.dir === undefined && report.problems.length === 0) {
      await Deno.remove(dir, { recursive: true });
    } else if (report.problems.length > 0) console.log(`data left in ${dir}`);
  }
  for (const p of problems) console.error(p);
  console.log(`bank: ${runs - failedRuns} passed, ${failedRuns} failed`);
  if (problems.length > 0) {
    console.error(`FAILED; replay with --seed ${common.seed}`);
    Deno.exit(1);
  }
}

if (import.meta.main) await main();
