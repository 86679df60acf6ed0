/**
 * kill -9 during HTTP ingest: per cycle, start the real server (`server/main.ts serve`) on one
 * data directory, let two writers post line-protocol batches to `/write` (each line a distinct
 * row, `m,w=<writer> seq=<n>i <time>`), SIGKILL the server at a random moment, restart it on the
 * same directory and check over HTTP that
 *
 * - every line of every batch answered 204 is stored, exactly once;
 * - no row is there that was never sent;
 * - a batch cut short (no answer) is whole or absent (one measurement of a body is one
 *   transaction), and once seen absent stays absent.
 *
 * `deno task crash:ingest --cycles N [--seed S] [--dir D]` runs it standalone;
 * ingest_kill_test.ts runs 3 cycles.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { SeededRandom } from "../../core/env/random.ts";
import { type ServerProcess, startServerProcess } from "../../server/_test_server.ts";

/** Options of {@link runIngestKill}. */
export interface IngestKillOptions {
  readonly cycles: number;
  readonly seed: number;
  /** The data directory (created by the server; empty or from an earlier run of this loop). */
  readonly dir: string;
  /** Longest random wait between the server listening and the kill, in milliseconds. */
  readonly killDelayMsMax?: number;
  /** Lines per request. */
  readonly batchLines?: number;
  /** Receives a line per cycle. */
  readonly progress?: (line: string) => void;
}

/** What the loop saw. */
export interface IngestKillReport {
  readonly cycles: number;
  readonly writers: number;
  /** Requests answered 204. */
  readonly batchesAcked: number;
  /** Requests answered with an error status (must be 0: every batch is valid). */
  readonly batchesRefused: number;
  /** Requests cut short by the kill that were found whole afterwards. */
  readonly batchesUnackedPresent: number;
  /** Requests cut short by the kill that were found absent. */
  readonly batchesUnackedAbsent: number;
  /** Lines answered 204. */
  readonly linesAcked: number;
  /** Rows found at the end. */
  readonly rowsStored: number;
  /** Acknowledged lines missing after a restart. Must be 0. */
  readonly rowsLost: number;
  /** Rows found more than once. Must be 0. */
  readonly rowsDuplicated: number;
  /** Rows that no request carried. Must be 0. */
  readonly rowsPhantom: number;
  /** Everything that was wrong, one line each. Must be empty. */
  readonly problems: readonly string[];
}

const writerCount = 2;
const schema = "ik";
const baseTimeMs = 1_700_000_000_000;

type BatchState = "inflight" | "acked" | "refused" | "present" | "absent";

interface Batch {
  readonly writer: number;
  readonly firstSeq: number;
  readonly lines: number;
  state: BatchState;
}

/** The body of a batch: seq n of writer w is at time base + n ms (distinct rows). */
function bodyOf(b: Batch): string {
  let text = "";
  for (let i = 0; i < b.lines; i++) {
    const seq = b.firstSeq + i;
    text += `m,w=w${b.writer} seq=${seq}i ${baseTimeMs + seq}\n`;
  }
  return text;
}

/** Every stored (writer, seq) with how often it is there; null while the table does not exist. */
async function storedRows(server: ServerProcess): Promise<Map<string, number> | null> {
  const res = await fetch(`${server.url}/sql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      sql: `SELECT w, seq, CAST(extract(epoch FROM time) * 1000 AS BIGINT) FROM ${schema}.m`,
    }),
  });
  const body = await res.json() as { rows?: unknown[][]; error?: { code: string } };
  if (res.status === 400 && body.error?.code === "42P01") return null;
  if (res.status !== 200 || body.rows === undefined) {
    throw new Error(`SELECT failed: ${res.status} ${JSON.stringify(body)}`);
  }
  const counts = new Map<string, number>();
  for (const [w, seq, ms] of body.rows) {
    const key = `${w}/${Number(seq)}`;
    if (Number(ms) !== baseTimeMs + Number(seq)) counts.set(`${key}@${ms}`, 1); // phantom
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Runs the loop; see the module doc. */
export async function runIngestKill(options: IngestKillOptions): Promise<IngestKillReport> {
  const random = new SeededRandom(options.seed);
  const delayMax = options.killDelayMsMax ?? 1_500;
  const batchLines = options.batchLines ?? 200;
  const batches: Batch[] = [];
  const bySeq = new Map<string, Batch>(); // "w<writer>/<seq>" -> its batch
  const nextSeq = Array.from({ length: writerCount }, () => 0);
  const problems: string[] = [];
  let refused = 0;
  let lost = 0;
  let duplicated = 0;
  let phantom = 0;
  let rowsStored = 0;

  /** Checks the stored rows against what was sent and answered. */
  const check = (label: string, rows: Map<string, number> | null) => {
    const found = rows ?? new Map<string, number>();
    rowsStored = 0;
    for (const [key, n] of found) {
      rowsStored += n;
      if (n > 1) {
        duplicated += n - 1;
        problems.push(`${label}: ${key} stored ${n} times`);
      }
      if (!bySeq.has(key)) {
        phantom += n;
        problems.push(`${label}: ${key} was never sent`);
      }
    }
    for (const b of batches) {
      if (b.state === "refused") continue;
      let present = 0;
      for (let i = 0; i < b.lines; i++) {
        if (found.has(`w${b.writer}/${b.firstSeq + i}`)) present++;
      }
      const name = `batch w${b.writer}/${b.firstSeq}+${b.lines}`;
      if (b.state === "acked") {
        if (present < b.lines) {
          lost += b.lines - present;
          problems.push(
            `${label}: ${name} was acknowledged but ${b.lines - present} rows are gone`,
          );
        }
      } else if (present !== 0 && present !== b.lines) {
        problems.push(`${label}: ${name} (cut short) is half there: ${present} rows`);
      } else if (b.state === "inflight") {
        b.state = present === 0 ? "absent" : "present";
      } else if (b.state === "absent" && present !== 0) {
        problems.push(`${label}: ${name} was absent after a crash and came back`);
      } else if (b.state === "present" && present === 0) {
        lost += b.lines;
        problems.push(`${label}: ${name} was present after a crash and vanished`);
      }
    }
  };

  for (let cycle = 1; cycle <= options.cycles; cycle++) {
    const server = await startServerProcess(["--data-dir", options.dir]);
    check(`cycle ${cycle} start`, await storedRows(server));
    let killed = false;
    const writer = async (w: number) => {
      const client = Deno.createHttpClient({});
      try {
        while (!killed) {
          const b: Batch = {
            writer: w,
            firstSeq: nextSeq[w]!,
            lines: batchLines,
            state: "inflight",
          };
          nextSeq[w]! += batchLines;
          batches.push(b);
          for (let i = 0; i < b.lines; i++) bySeq.set(`w${w}/${b.firstSeq + i}`, b);
          let res: Response;
          try {
            res = await fetch(`${server.url}/write?db=${schema}&precision=ms`, {
              method: "POST",
              body: bodyOf(b),
              client,
            });
          } catch {
            return; // the server died: the batch stays in flight
          }
          const text = await res.text().catch(() => null);
          if (text === null) return;
          if (res.status === 204) {
            b.state = "acked";
          } else {
            b.state = "refused";
            refused++;
            problems.push(`cycle ${cycle}: a valid batch got ${res.status}: ${text}`);
          }
        }
      } finally {
        client.close();
      }
    };
    const writers = Array.from({ length: writerCount }, (_, w) => writer(w));
    const delayMs = Math.floor(random.nextFloat() * delayMax);
    await new Promise((r) => setTimeout(r, delayMs));
    killed = true;
    const { signal } = await server.stop("SIGKILL");
    await Promise.all(writers);
    const acked = batches.filter((b) => b.state === "acked").length;
    options.progress?.(
      `cycle ${cycle}: SIGKILL (${signal}) after ${delayMs} ms, ${acked} batches acked so far`,
    );
  }
  // the last kill is checked by one more restart, stopped cleanly
  const server = await startServerProcess(["--data-dir", options.dir]);
  try {
    check("final", await storedRows(server));
  } finally {
    await server.stop("SIGTERM");
  }
  const count = (s: BatchState) => batches.filter((b) => b.state === s).length;
  return {
    cycles: options.cycles,
    writers: writerCount,
    batchesAcked: count("acked"),
    batchesRefused: refused,
    batchesUnackedPresent: count("present"),
    batchesUnackedAbsent: count("absent"),
    linesAcked: count("acked") * batchLines,
    rowsStored,
    rowsLost: lost,
    rowsDuplicated: duplicated,
    rowsPhantom: phantom,
    problems,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      cycles: { type: "string", default: "20" },
      seed: { type: "string", default: String(Date.now() % 1_000_000) },
      dir: { type: "string" },
      "batch-lines": { type: "string", default: "200" },
      verbose: { type: "boolean", default: false },
    },
  });
  const dir = values.dir ?? await Deno.makeTempDir({ prefix: "omendb-ingest-kill-" });
  const seed = Number(values.seed);
  console.log(`ingest kill: ${values.cycles} cycles, seed ${seed}, data in ${dir}`);
  const started = performance.now();
  const report = await runIngestKill({
    cycles: Number(values.cycles),
    seed,
    dir,
    batchLines: Number(values["batch-lines"]),
    ...(values.verbose ? { progress: (line: string) => console.log(line) } : {}),
  });
  console.log(
    JSON.stringify(
      { ...report, problems: report.problems.length, seconds: (performance.now() - started) / 1e3 },
      null,
      2,
    ),
  );
  for (const p of report.problems.slice(0, 50)) console.error(p);
  if (report.problems.length > 0) {
    console.error(`FAILED; replay with --seed ${seed} (data left in ${dir})`);
    Deno.exit(1);
  }
  if (values.dir === undefined) await Deno.remove(dir, { recursive: true });
}

if (import.meta.main) await main();
