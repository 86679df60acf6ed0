/**
 * TSBS cpu-only data generation speed: column batches (what `insertColumns` takes) against
 * line protocol (what `POST /write` takes), over the same rows.
 *
 * @module
 */
import type { Benchmark } from "./harness.ts";
import { generateCpuBatches, generateCpuLineProtocol } from "../tests/data/tsbs.ts";

/** The benchmark: generates `rows` rows per run, as batches and as line protocol. */
export const tsbsGenerateBench: Benchmark = {
  name: "tsbs_generate",
  description: "TSBS cpu-only generation, 100 hosts: column batches vs line protocol",
  prepare(params) {
    let rows = 0;
    let bytes = 0;
    return {
      unitsPerRun: params.rows,
      unit: "rows",
      contenders: [
        {
          name: "columns",
          run() {
            rows = 0;
            for (const b of generateCpuBatches({ rows: params.rows })) rows += b.length;
          },
        },
        {
          name: "line_protocol",
          run() {
            bytes = 0;
            for (const chunk of generateCpuLineProtocol({ rows: params.rows })) {
              bytes += chunk.length;
            }
          },
        },
      ],
      finish: () => ({ rowsPerRun: rows, lineProtocolBytesPerRun: bytes }),
    };
  },
};
