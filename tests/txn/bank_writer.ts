/**
 * The child of the bank's kill -9 mode (bank_main.ts): opens a data directory that already holds
 * `accounts` and runs bank transfers on it until killed. Lines, each written synchronously (a
 * SIGKILL right after loses nothing printed):
 *
 * - `ready` once the database is open;
 * - `committed <n>` after each committed transfer (n counts this process's commits);
 * - `violation <text>` when a reader saw a wrong total;
 * - `done <summary>` if it ran out of transfers before being killed.
 *
 * Usage: `deno run -A tests/txn/bank_writer.ts --dir D --accounts N [--sessions S]
 * [--transfers T] [--seed X] [--isolation "repeatable read"]`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Database } from "../../mod.ts";
import { say } from "../crash/writer.ts";
import { type BankIsolation, runBank, summary } from "./bank.ts";

/** Runs the writer with command-line `args` (see the module comment). */
export async function bankWriter(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      dir: { type: "string" },
      accounts: { type: "string" },
      sessions: { type: "string", default: "20" },
      transfers: { type: "string", default: "1000000" },
      seed: { type: "string", default: "1" },
      isolation: { type: "string", default: "repeatable read" },
    },
  });
  if (values.dir === undefined || values.accounts === undefined) {
    throw new Error("--dir and --accounts are required");
  }
  const db = await Database.open({ path: values.dir });
  say("ready");
  const stats = await runBank({
    db,
    create: false,
    sessions: Number(values.sessions),
    accounts: Number(values.accounts),
    transfers: Number(values.transfers),
    seed: Number(values.seed),
    isolation: values.isolation as BankIsolation,
    onCommit: (n) => say(`committed ${n}`),
    onViolation: (text) => say(`violation ${text}`),
  });
  for (const e of stats.errors) say(`error ${e}`);
  say(`done ${summary(stats)}`);
  await db.close();
}

if (import.meta.main) await bankWriter(Deno.args);
