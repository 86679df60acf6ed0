/**
 * The crash loop: per cycle, start writer.ts on one data directory, SIGKILL it at a random
 * moment or as it enters a chosen phase, reopen the directory in this process and check that
 *
 * - every acknowledged batch is present with exactly its rows, and no row twice;
 * - a batch whose insert was cut short is either whole or absent (its commit may have been
 *   durable before the ack was printed), and stays absent for good once seen absent;
 * - an acknowledged DELETE left nothing of its batch, and one cut short took all or nothing;
 * - nothing else is there, and `Database.verify()` finds no problem.
 *
 * Kills are counted by the phase the writer last printed. `deno task crash --cycles N
 * [--seed S] [--dir D]` runs it standalone; crash_loop_test.ts runs 50 cycles.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Database, DbError, SqlState } from "../../mod.ts";
import { SeededRandom } from "../../core/env/random.ts";
import { crashLimits } from "./writer.ts";

/** The phases a kill is attributed to (what the writer printed last). */
export const crashPhases = [
  "start",
  "open",
  "append",
  "delete",
  "checkpoint",
  "compaction",
  "manifest",
  "cleanup",
  "close",
] as const;

/** One of {@link crashPhases}. */
export type CrashPhase = typeof crashPhases[number];

/** Options of {@link runCrashLoop}. */
export interface CrashLoopOptions {
  readonly cycles: number;
  readonly seed: number;
  /** The data directory (created; it should be empty or from an earlier run of the loop). */
  readonly dir: string;
  /** Longest random wait before a kill, in milliseconds. */
  readonly killDelayMsMax?: number;
  /** Receives a line per cycle. */
  readonly progress?: (line: string) => void;
}

/** What a crash loop saw. */
export interface CrashLoopReport {
  readonly cycles: number;
  /** Kills per phase the writer was in. */
  readonly kills: Record<CrashPhase, number>;
  /** Batches acknowledged (inserts that resolved), over all cycles. */
  readonly batchesAcked: number;
  /** Batches whose insert was cut short but whose commit was durable (found whole). */
  readonly batchesUnackedPresent: number;
  /** Batches whose insert was cut short and that were found absent. */
  readonly batchesUnackedAbsent: number;
  /** Acknowledged DELETEs. */
  readonly deletesAcked: number;
  /** Rows of acknowledged live batches missing after a crash. Must be 0. */
  readonly rowsLost: number;
  /** Rows found more than once. Must be 0. */
  readonly rowsDuplicated: number;
  /** Everything that was wrong, one line each. Must be empty. */
  readonly problems: readonly string[];
}

interface BatchRow {
  readonly batch: number;
  readonly count: number;
  readonly distinct: number;
  readonly min: number;
  readonly max: number;
  readonly sum: number;
}

/** What the cycles so far promise about each batch. */
class Expectations {
  /** Live batches (acknowledged, or found whole after a crash) and their row counts. */
  readonly live = new Map<number, number>();
  /** Batches that must never show up again (deleted, or cut short and found absent). */
  readonly gone = new Set<number>();
  batchesAcked = 0;
  batchesUnackedPresent = 0;
  batchesUnackedAbsent = 0;
  deletesAcked = 0;
  rowsLost = 0;
  rowsDuplicated = 0;
  readonly problems: string[] = [];

  /**
   * Applies one cycle's output to what the table found on reopen holds. `begun` and `deleting`
   * hold the calls cut short.
   */
  check(cycle: number, lines: readonly string[], found: readonly BatchRow[]): void {
    const begun = new Map<number, number>();
    const deleting = new Set<number>();
    for (const line of lines) {
      const [word, a, b] = line.split(" ");
      const batch = Number(a);
      if (word === "begin") begun.set(batch, Number(b));
      else if (word === "ack") {
        begun.delete(batch);
        this.live.set(batch, Number(b));
        this.batchesAcked++;
      } else if (word === "deleting") deleting.add(batch);
      else if (word === "deleted") {
        deleting.delete(batch);
        this.live.delete(batch);
        this.gone.add(batch);
        this.deletesAcked++;
      }
    }
    const problem = (text: string) => this.problems.push(`cycle ${cycle}: ${text}`);
    const byBatch = new Map(found.map((r) => [r.batch, r]));
    for (const r of found) {
      const rows = this.live.get(r.batch) ?? begun.get(r.batch);
      if (rows === undefined) {
        problem(
          this.gone.has(r.batch)
            ? `batch ${r.batch} is back (${r.count} rows) after it was deleted or found absent`
            : `batch ${r.batch} (${r.count} rows) was never written`,
        );
        continue;
      }
      if (r.count > r.distinct) this.rowsDuplicated += r.count - r.distinct;
      const sum = rows * r.batch * 1000 + rows * (rows - 1) / 2;
      if (r.count !== rows || r.distinct !== rows || r.min !== 0 || r.max !== rows - 1) {
        problem(
          `batch ${r.batch}: ${r.count} rows (${r.distinct} distinct k in ${r.min}..${r.max}), ` +
            `written ${rows}${this.live.has(r.batch) ? " and acknowledged" : ", not acknowledged"}`,
        );
      } else if (r.sum !== sum) problem(`batch ${r.batch}: sum(v) ${r.sum}, expected ${sum}`);
    }
    for (const [batch, rows] of this.live) {
      if (byBatch.has(batch)) continue;
      if (deleting.has(batch)) {
        // the DELETE was cut short but its commit was durable
        this.live.delete(batch);
        this.gone.add(batch);
        continue;
      }
      this.rowsLost += rows;
      problem(`acknowledged batch ${batch} (${rows} rows) is missing`);
      this.live.delete(batch);
    }
    for (const [batch, rows] of begun) {
      if (byBatch.has(batch)) {
        this.live.set(batch, rows);
        this.batchesUnackedPresent++;
      } else {
        this.gone.add(batch);
        this.batchesUnackedAbsent++;
      }
    }
  }
}

/** Reads a child's stdout as lines, calling `onLine` for each as it arrives. */
export async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    for (const p of parts) onLine(p);
  }
  if (rest !== "") onLine(rest);
}

/** Phases a cycle may aim its kill at (the others are reached by random delays). */
const targetPhases = [
  "append",
  "checkpoint",
  "compaction",
  "manifest",
  "cleanup",
  "delete",
] as const;

/** The batch counts of the table, one row per batch. */
async function batchRows(db: Database): Promise<BatchRow[]> {
  const r = await db.query(
    "SELECT batch, count(*), count(DISTINCT k), min(k), max(k), sum(v) FROM t GROUP BY batch",
  );
  return r.rows.map((row) => ({
    batch: Number(row[0]),
    count: Number(row[1]),
    distinct: Number(row[2]),
    min: Number(row[3]),
    max: Number(row[4]),
    sum: Number(row[5]),
  }));
}

/** Runs the loop; see the module comment. */
export async function runCrashLoop(options: CrashLoopOptions): Promise<CrashLoopReport> {
  const random = new SeededRandom(options.seed);
  const delayMax = options.killDelayMsMax ?? 400;
  const expect = new Expectations();
  const kills = Object.fromEntries(crashPhases.map((p) => [p, 0])) as Record<CrashPhase, number>;
  const writer = new URL("./writer.ts", import.meta.url).pathname;
  for (let cycle = 1; cycle <= options.cycles; cycle++) {
    // half the cycles kill at a random moment (a quarter of those timed from the start of the
    // open, so that recovery gets killed too), half as a chosen phase begins (its Nth time)
    const target = random.nextUint32() % 2 === 0
      ? null
      : targetPhases[random.nextUint32() % targetPhases.length]!;
    const from = random.nextUint32() % 4 === 0 ? "phase open" : "ready";
    const skip = random.nextUint32() % 3;
    const delayMs = Math.floor(random.nextFloat() * delayMax);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        writer,
        "--dir",
        options.dir,
        "--first-batch",
        String(cycle * 100_000),
        "--seed",
        String(random.nextUint32()),
      ],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).spawn();
    const lines: string[] = [];
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      try {
        child.kill("SIGKILL");
      } catch { /* it exited already */ }
    };
    let seen = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    // a phase that does not come in time (or a random delay) ends the cycle anyway
    const fallback = setTimeout(kill, target === null ? 5000 : 3000);
    const reading = readLines(child.stdout, (line) => {
      lines.push(line);
      if (line === from && target === null) {
        timer = setTimeout(kill, from === "ready" ? delayMs : delayMs / 8);
      }
      if (target !== null && line === `phase ${target}` && seen++ === skip) kill();
    });
    const stderr = new Response(child.stderr).text();
    const status = await child.status;
    clearTimeout(fallback);
    if (timer !== null) clearTimeout(timer);
    await reading;
    const errors = await stderr;
    if (!killed || status.signal !== "SIGKILL") {
      expect.problems.push(
        `cycle ${cycle}: the writer ended on its own (code ${status.code}): ${errors.slice(-2000)}`,
      );
    }
    const phaseLine = lines.findLast((l) => l.startsWith("phase ")) ?? "phase start";
    const phase = phaseLine.slice(6) as CrashPhase;
    kills[phase] = (kills[phase] ?? 0) + 1;
    let db: Database;
    try {
      db = await Database.open({ path: options.dir, limits: crashLimits });
    } catch (e) {
      expect.problems.push(`cycle ${cycle}: reopen after a kill in ${phase} failed: ${e}`);
      break;
    }
    try {
      // a kill before the first CREATE TABLE committed leaves no table
      const found = await batchRows(db).catch((e) => {
        if (e instanceof DbError && e.code === SqlState.undefinedTable) return [];
        throw e;
      });
      const before = expect.problems.length;
      expect.check(cycle, lines, found);
      for (const p of await db.verify()) expect.problems.push(`cycle ${cycle}: verify: ${p}`);
      options.progress?.(
        `cycle ${cycle}: killed in ${phase}${target === null ? ` after ${delayMs} ms` : ""}, ` +
          `${found.length} batches${expect.problems.length > before ? ", PROBLEMS" : ""}`,
      );
    } finally {
      await db.close();
    }
  }
  return {
    cycles: options.cycles,
    kills,
    batchesAcked: expect.batchesAcked,
    batchesUnackedPresent: expect.batchesUnackedPresent,
    batchesUnackedAbsent: expect.batchesUnackedAbsent,
    deletesAcked: expect.deletesAcked,
    rowsLost: expect.rowsLost,
    rowsDuplicated: expect.rowsDuplicated,
    problems: expect.problems,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      cycles: { type: "string", default: "50" },
      seed: { type: "string", default: String(Date.now() % 1_000_000) },
      dir: { type: "string" },
      verbose: { type: "boolean", default: false },
    },
  });
  const dir = values.dir ?? await Deno.makeTempDir({ prefix: "omendb-crash-" });
  const seed = Number(values.seed);
  console.log(`crash loop: ${values.cycles} cycles, seed ${seed}, data in ${dir}`);
  const report = await runCrashLoop({
    cycles: Number(values.cycles),
    seed,
    dir,
    ...(values.verbose ? { progress: (line: string) => console.log(line) } : {}),
  });
  console.log(JSON.stringify({ ...report, problems: report.problems.length }, null, 2));
  for (const p of report.problems) console.error(p);
  if (report.problems.length > 0) {
    console.error(`FAILED; replay with --seed ${seed} (data left in ${dir})`);
    Deno.exit(1);
  }
  if (values.dir === undefined) await Deno.remove(dir, { recursive: true });
}

if (import.meta.main) await main();
