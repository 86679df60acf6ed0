/**
 * Line-protocol parsing speed: `parseLineProtocol` (bytes -> columns, `plugins/line_protocol`)
 * against a naive parser (`TextDecoder` + `split` + `parseFloat`, no escapes, no validation) over
 * the same TSBS cpu batches of {@link lpBenchBatchLines} lines (10 float fields, 3 tags, ns
 * timestamps). Both produce columns per measurement; the results are checked against the
 * generator's own columns before timing.
 *
 * `deno task bench:lp [--rows N] [--repeat N] [--warmup N] [--out dir]` runs it alone and also
 * prints MB/s; `deno task bench --only line_protocol` runs it within the suite.
 *
 * @module
 */
import type { Benchmark } from "./harness.ts";
import { formatResult, runBenchmark, writeResult } from "./harness.ts";
import { generateCpuBatches, generateCpuLineProtocol } from "../tests/data/tsbs.ts";
import { parseLineProtocol } from "../plugins/line_protocol/mod.ts";

/** Lines per body (one POST /write), as TSBS and Telegraf batch them. */
export const lpBenchBatchLines = 5_000;

/** One measurement's columns from the naive parser. */
interface NaiveMeasurement {
  rows: number;
  time: number[];
  columns: Map<string, (string | number | boolean | null)[]>;
}

/**
 * The baseline: decode the body to a string, split lines, split each line on spaces, commas and
 * `=`, parse numbers with `parseFloat`. It handles only what TSBS sends (no escapes, no quoted
 * spaces) and checks nothing: the least a JavaScript parser does.
 */
export function naiveParse(body: Uint8Array): Map<string, NaiveMeasurement> {
  const out = new Map<string, NaiveMeasurement>();
  const text = new TextDecoder().decode(body);
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const [key, fieldSet, ts] = line.split(" ");
    if (key === undefined || fieldSet === undefined) continue;
    const tagParts = key.split(",");
    const name = tagParts[0]!;
    let m = out.get(name);
    if (m === undefined) {
      m = { rows: 0, time: [], columns: new Map() };
      out.set(name, m);
    }
    const row = m.rows++;
    m.time.push(ts === undefined ? 0 : Math.floor(Number(ts) / 1000));
    const set = (k: string, v: string | number | boolean) => {
      let col = m.columns.get(k);
      if (col === undefined) {
        col = new Array(row).fill(null);
        m.columns.set(k, col);
      }
      while (col.length < row) col.push(null);
      col.push(v);
    };
    for (let i = 1; i < tagParts.length; i++) {
      const [k, v] = tagParts[i]!.split("=");
      set(k!, v!);
    }
    for (const f of fieldSet.split(",")) {
      const [k, v] = f.split("=");
      const last = v!.charCodeAt(v!.length - 1);
      if (v!.startsWith('"')) set(k!, v!.slice(1, -1));
      else if (last === 0x69) set(k!, parseInt(v!, 10));
      else if (v === "t" || v === "true") set(k!, true);
      else if (v === "f" || v === "false") set(k!, false);
      else set(k!, parseFloat(v!));
    }
  }
  return out;
}

/** Checks both parsers against the generator's columns for the same rows; throws on a mismatch. */
function verify(bodies: readonly Uint8Array[], rows: number): void {
  const expected = generateCpuBatches({ rows, batchRows: lpBenchBatchLines });
  for (const body of bodies) {
    const batch = expected.next().value!;
    const fast = parseLineProtocol(body, { defaultTimeMicros: 0 });
    const naive = naiveParse(body).get("cpu")!;
    const cpu = fast.measurements.get("cpu")!;
    if (fast.errors.length !== 0 || cpu.rows !== batch.length || naive.rows !== batch.length) {
      throw new Error(`line_protocol: ${cpu.rows} / ${naive.rows} rows, expected ${batch.length}`);
    }
    const cols = batch.columns as unknown as Record<string, ArrayLike<unknown>>;
    for (let i = 0; i < batch.length; i++) {
      const ok = cpu.time[i] === batch.columns.time[i] && naive.time[i] === batch.columns.time[i] &&
        [...cpu.tags].every(([k, c]) => (c.data as string[])[i] === cols[k]![i]) &&
        [...cpu.fields].every(([k, f]) =>
          (f.column.data as Float64Array)[i] === cols[k]![i] &&
          naive.columns.get(k)![i] === cols[k]![i]
        );
      if (!ok) throw new Error(`line_protocol: row ${i} differs from the generator`);
    }
  }
}

/** The benchmark: parses `rows` TSBS cpu lines in bodies of {@link lpBenchBatchLines} lines. */
export const lineProtocolBench: Benchmark = {
  name: "line_protocol",
  description:
    `TSBS cpu line protocol, ${lpBenchBatchLines}-line bodies -> columns: parseLineProtocol vs TextDecoder + split`,
  prepare(params) {
    const bodies = [
      ...generateCpuLineProtocol({ rows: params.rows, batchRows: lpBenchBatchLines }),
    ];
    let bytes = 0;
    for (const b of bodies) bytes += b.length;
    verify(bodies, params.rows);
    let fastPoints = 0;
    let naiveRows = 0;
    return {
      unitsPerRun: params.rows,
      unit: "lines",
      contenders: [
        {
          name: "omendb_parse",
          run() {
            let points = 0;
            for (const body of bodies) {
              points += parseLineProtocol(body, { defaultTimeMicros: 0 }).points;
            }
            fastPoints = points;
          },
        },
        {
          name: "naive_split",
          run() {
            let rows = 0;
            for (const body of bodies) rows += naiveParse(body).get("cpu")!.rows;
            naiveRows = rows;
          },
        },
      ],
      finish() {
        if (fastPoints !== params.rows || naiveRows !== params.rows) {
          throw new Error(`line_protocol: parsed ${fastPoints} / ${naiveRows} of ${params.rows}`);
        }
        return {
          bodies: bodies.length,
          linesPerBody: lpBenchBatchLines,
          bytes,
          bytesPerLine: bytes / params.rows,
          verifiedAgainstGenerator: true,
        };
      },
    };
  },
};

if (import.meta.main) {
  const { parseBenchArgs } = await import("./main.ts");
  const args = parseBenchArgs(Deno.args);
  const result = await runBenchmark(lineProtocolBench, args.params);
  console.log(formatResult(result));
  const bytes = result.facts.bytes as number;
  for (const c of result.contenders) {
    console.log(
      `  ${c.name.padEnd(24)} ${(bytes / 1e6 / (c.medianMs / 1000)).toFixed(1)} MB/s  ${
        Math.round(c.unitsPerSecond ?? 0).toLocaleString("en-US")
      } lines/s (median)`,
    );
  }
  console.log(`  -> ${await writeResult(args.outDir, result)}`);
}
