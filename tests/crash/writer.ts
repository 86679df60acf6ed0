/**
 * The child of the crash loop (crash_loop.ts): opens a data directory with small limits, so that
 * checkpoints and compactions happen every few batches, and writes batches until it is killed.
 * Every line it prints is written synchronously, so the parent reads exactly what happened
 * before the kill:
 *
 * - `phase <name>`: the step it is in (`open`, `append`, `delete`, `checkpoint`, `compaction`,
 *   `manifest`, `cleanup`), from its own loop and the engine's log events;
 * - `begin <batch> <rows>` before an insert call, `ack <batch> <rows>` once it resolved;
 * - `deleting <batch>` before a DELETE of an acknowledged batch, `deleted <batch>` once it
 *   resolved.
 *
 * Usage: `deno run -A tests/crash/writer.ts --dir D --first-batch N --seed S [--max-ms M]`.
 * Batch `b` holds rows `k = 0..rows-1` with `v = b * 1000 + k`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Database } from "../../mod.ts";
import { SeededRandom } from "../../core/env/random.ts";

/** The table the writer fills (the parent checks it). */
export const crashTableDdl =
  "CREATE TABLE IF NOT EXISTS t (ts TIMESTAMPTZ NOT NULL, batch BIGINT, k INTEGER, " +
  "v DOUBLE PRECISION) WITH (timestamp = 'ts', partition_by = 'hour')";

/** Small limits: a checkpoint every few batches, a compaction every third one per partition. */
export const crashLimits = { memtableBytesMax: 16384, partitionSegmentsMax: 2 } as const;

/** Rows in one batch, at most. */
export const crashBatchRowsMax = 100;

/** Timestamps fall in 4 hours from this instant (microseconds), so partitions fill up again. */
const tsStartMicros = Date.UTC(2024, 0, 1) * 1000;
const tsSpanMicros = 4 * 3600 * 1_000_000;

const encoder = new TextEncoder();

/** Writes a line to stdout before returning (a SIGKILL right after loses nothing printed). */
export function say(line: string): void {
  const bytes = encoder.encode(`${line}\n`);
  let off = 0;
  while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
}

/** Engine log events that start a phase. */
const phaseOfEvent: Readonly<Record<string, string>> = {
  checkpoint_started: "checkpoint",
  compaction_started: "compaction",
  manifest_writing: "manifest",
  manifest_written: "cleanup",
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      dir: { type: "string" },
      "first-batch": { type: "string", default: "1" },
      seed: { type: "string", default: "1" },
      "max-ms": { type: "string", default: "30000" },
    },
  });
  if (values.dir === undefined) throw new Error("--dir is required");
  const random = new SeededRandom(Number(values.seed));
  const int = (n: number) => random.nextUint32() % n;
  const deadline = Date.now() + Number(values["max-ms"]);
  say("phase open");
  const db = await Database.open({
    path: values.dir,
    limits: crashLimits,
    log: (e) => {
      const phase = phaseOfEvent[String(e.event)];
      if (phase !== undefined) say(`phase ${phase}`);
    },
  });
  await db.query(crashTableDdl);
  say("ready");
  const acked: number[] = [];
  for (let batch = Number(values["first-batch"]); Date.now() < deadline; batch++) {
    const rows = 1 + int(crashBatchRowsMax);
    const ts = new Float64Array(rows);
    const k = new Int32Array(rows);
    const v = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      // whole milliseconds, so the SQL path writes the same values
      ts[i] = tsStartMicros + Math.floor(random.nextFloat() * tsSpanMicros / 1000) * 1000;
      k[i] = i;
      v[i] = batch * 1000 + i;
    }
    say("phase append");
    say(`begin ${batch} ${rows}`);
    if (int(4) === 0) {
      const tuples = Array.from({ length: rows }, (_, i) => {
        const iso = new Date(ts[i]! / 1000).toISOString().replace("T", " ").replace("Z", "+00");
        return `('${iso}', ${batch}, ${i}, ${v[i]})`;
      });
      await db.query(`INSERT INTO t VALUES ${tuples.join(", ")}`);
    } else {
      await db.insertColumns("t", { ts, batch: Array.from({ length: rows }, () => batch), k, v });
    }
    say(`ack ${batch} ${rows}`);
    acked.push(batch);
    if (int(12) === 0 && acked.length > 1) {
      const victim = acked.splice(int(acked.length - 1), 1)[0]!;
      say("phase delete");
      say(`deleting ${victim}`);
      await db.query(`DELETE FROM t WHERE batch = ${victim}`);
      say(`deleted ${victim}`);
    }
    if (int(15) === 0) {
      say("phase checkpoint");
      await db.query("CHECKPOINT");
    }
  }
  say("phase close");
  await db.close();
  say("closed");
}

if (import.meta.main) await main();
