/**
 * TSBS cpu-only rows as one segment's worth of OmenDB columns: `time` (timestamptz), the ten
 * TSBS tags (the generator's hostname, region and datacenter, plus rack, os, arch, team, service,
 * service_version and service_environment derived from the host as TSBS does per host) and the
 * ten float8 metrics. Shared by the Parquet codec benchmark, its worker and its memory probe.
 *
 * @module
 */
import { type Column, makeColumn } from "../core/types/column.ts";
import { Types } from "../core/types/data_type.ts";
import type { SegmentColumnSpec } from "../plugins/storage_parquet/mod.ts";
import { cpuMetricNames, cpuTagNames, generateCpuBatches } from "../tests/data/tsbs.ts";

/** The seven TSBS tags that our generator does not emit, each a function of the host index. */
const derivedTags: Readonly<Record<string, (host: number) => string>> = {
  rack: (h) => String(h % 100),
  os: (h) => ["Ubuntu16.10", "Ubuntu16.04LTS", "Ubuntu15.10"][h % 3]!,
  arch: (h) => ["x64", "x86"][h % 2]!,
  team: (h) => ["SF", "NYC", "LON", "CHI"][h % 4]!,
  service: (h) => String(h % 20),
  service_version: (h) => String(h % 2),
  service_environment: (h) => ["production", "staging", "test"][h % 3]!,
};

/** A segment's specs and columns. */
export interface TsbsSegment {
  /** Column specs, ids 1.. in column order. */
  readonly specs: readonly SegmentColumnSpec[];
  /** The columns, `rows` each. */
  readonly columns: readonly Column[];
  /** Rows. */
  readonly rows: number;
}

/** Generates `rows` TSBS cpu rows (100 hosts, seed 123) as segment columns. */
export function tsbsSegment(rows: number): TsbsSegment {
  const time = new Float64Array(rows);
  const tagNames = [...cpuTagNames, ...Object.keys(derivedTags)];
  const tags = tagNames.map(() => new Array<string>(rows));
  const metrics = cpuMetricNames.map(() => new Float64Array(rows));
  for (const b of generateCpuBatches({ rows })) {
    const at = b.firstRow;
    time.set(b.columns.time, at);
    cpuMetricNames.forEach((m, k) => metrics[k]!.set(b.columns[m], at));
    const hosts = b.tagCodes.hostname.codes;
    tagNames.forEach((t, k) => {
      const out = tags[k]!;
      const given = (b.columns as unknown as Record<string, string[] | undefined>)[t];
      const derive = derivedTags[t];
      for (let i = 0; i < b.length; i++) {
        out[at + i] = given !== undefined ? given[i]! : derive!(hosts[i]!);
      }
    });
  }
  const specs: SegmentColumnSpec[] = [{ id: 1, name: "time", type: Types.timestamptz }];
  const columns: Column[] = [makeColumn(Types.timestamptz, rows, time, null)];
  tagNames.forEach((name, k) => {
    specs.push({ id: specs.length + 1, name, type: Types.text });
    columns.push(makeColumn(Types.text, rows, tags[k]!, null));
  });
  cpuMetricNames.forEach((name, k) => {
    specs.push({ id: specs.length + 1, name, type: Types.float8 });
    columns.push(makeColumn(Types.float8, rows, metrics[k]!, null));
  });
  return { specs, columns, rows };
}
