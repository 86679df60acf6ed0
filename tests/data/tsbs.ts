/**
 * A deterministic generator for the TSBS "cpu-only" data set: `hosts` servers, each reporting ten
 * CPU usage metrics every `intervalSeconds`, starting at 2016-01-01T00:00:00Z. Shared by tests
 * and benchmarks.
 *
 * Every metric is a bounded random walk in [0, 100] kept as integer hundredths, so the float
 * columns and the line-protocol text describe exactly the same values (`5813 / 100` is the
 * double that `"58.13"` parses to). Rows are ordered by time, then host, as TSBS writes them.
 *
 * Two outputs, both from the same seeded stream:
 * - {@link generateCpuBatches}: column batches (typed arrays, tag strings and dictionary codes),
 *   ready for `db.insertColumns("cpu", batch.columns)`;
 * - {@link generateCpuLineProtocol}: InfluxDB line protocol as `Uint8Array` chunks, with
 *   nanosecond timestamps.
 *
 * @example
 * ```ts
 * import { generateCpuBatches, generateCpuLineProtocol } from "./tsbs.ts";
 * let rows = 0;
 * for (const batch of generateCpuBatches({ hosts: 10, rows: 100, batchRows: 64 })) {
 *   rows += batch.length;
 * }
 * console.assert(rows === 100);
 * const [chunk] = generateCpuLineProtocol({ hosts: 1, rows: 1 });
 * const line = new TextDecoder().decode(chunk);
 * console.assert(line.startsWith("cpu,hostname=host_0,region="));
 * console.assert(line.endsWith(" 1451606400000000000\n"));
 * ```
 *
 * @module
 */
import { DbError, SqlState } from "../../core/errors.ts";
import { SeededRandom } from "../../core/env/random.ts";

/** The ten TSBS cpu metrics, in TSBS column order. */
export const cpuMetricNames = [
  "usage_user",
  "usage_system",
  "usage_idle",
  "usage_nice",
  "usage_iowait",
  "usage_irq",
  "usage_softirq",
  "usage_steal",
  "usage_guest",
  "usage_guest_nice",
] as const;

/** One TSBS cpu metric name. */
export type CpuMetricName = typeof cpuMetricNames[number];

/** The tag columns this generator emits, in line-protocol order. */
export const cpuTagNames = ["hostname", "region", "datacenter"] as const;

/** One tag column name. */
export type CpuTagName = typeof cpuTagNames[number];

/** TSBS's regions with their datacenters (availability zones). */
export const cpuRegions: readonly {
  readonly region: string;
  readonly datacenters: readonly string[];
}[] = [
  { region: "us-east-1", datacenters: ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1e"] },
  { region: "us-west-1", datacenters: ["us-west-1a", "us-west-1b"] },
  { region: "us-west-2", datacenters: ["us-west-2a", "us-west-2b", "us-west-2c"] },
  { region: "eu-west-1", datacenters: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] },
  { region: "eu-central-1", datacenters: ["eu-central-1a", "eu-central-1b"] },
  { region: "ap-southeast-1", datacenters: ["ap-southeast-1a", "ap-southeast-1b"] },
  { region: "ap-southeast-2", datacenters: ["ap-southeast-2a", "ap-southeast-2b"] },
  { region: "ap-northeast-1", datacenters: ["ap-northeast-1a", "ap-northeast-1c"] },
  { region: "sa-east-1", datacenters: ["sa-east-1a", "sa-east-1b", "sa-east-1c"] },
];

/** The measurement (table) name. */
export const cpuTableName = "cpu";

/**
 * `CREATE TABLE cpu (...)` for the generated columns; valid SQL for OmenDB, DuckDB and
 * PostgreSQL alike.
 */
export const cpuCreateTableSql = `CREATE TABLE ${cpuTableName} (time TIMESTAMPTZ NOT NULL, ${
  cpuTagNames.map((t) => `${t} TEXT`).join(", ")
}, ${cpuMetricNames.map((m) => `${m} DOUBLE PRECISION`).join(", ")})`;

/** Default number of hosts (TSBS `--scale`). */
export const cpuHostsDefault = 100;
/** Most hosts one generator accepts. */
export const cpuHostsMax = 1_000_000;
/** Default seconds between two readings of one host (TSBS `--log-interval`). */
export const cpuIntervalSecondsDefault = 10;
/** Default rows per batch or per line-protocol chunk (a power of two). */
export const cpuBatchRowsDefault = 8192;
/** Most rows per batch or chunk. */
export const cpuBatchRowsMax = 1 << 20;
/** Most rows one generator produces. */
export const cpuRowsMax = 2 ** 40;
/** Default seed. */
export const cpuSeedDefault = 123;
/** Default start: TSBS's `--timestamp-start`. */
export const cpuStartDefault = "2016-01-01T00:00:00Z";
/** Largest metric value, in hundredths (100.00). */
const metricCentsMax = 10_000;
/** Largest step of a random walk, in hundredths per reading. */
const walkStepCentsMax = 100;
/** Line-protocol bytes one metric value takes at most: "100.00". */
const metricValueBytesMax = 6;
/** Line-protocol bytes of a timestamp in ns at most (plus its leading space and the newline). */
const timestampBytesMax = 22;

/** Options of the cpu-only generator. */
export interface CpuGeneratorOptions {
  /** Number of hosts (series). Default {@link cpuHostsDefault}. */
  readonly hosts?: number;
  /** First timestamp, as a Date or an ISO 8601 string. Default {@link cpuStartDefault}. */
  readonly start?: Date | string;
  /** Seconds between readings of one host. Default {@link cpuIntervalSecondsDefault}. */
  readonly intervalSeconds?: number;
  /** Total rows over all hosts. Give this or `durationSeconds`; default: one hour of data. */
  readonly rows?: number;
  /** Time span to cover, in seconds: every host reports `ceil(duration / interval)` times. */
  readonly durationSeconds?: number;
  /** Seed of the PRNG: the same seed gives the same data. Default {@link cpuSeedDefault}. */
  readonly seed?: number;
  /** Rows per batch, or lines per line-protocol chunk. Default {@link cpuBatchRowsDefault}. */
  readonly batchRows?: number;
}

/** A dictionary-encoded tag column: `dictionary[codes[i]]` is row i's value. */
export interface DictionaryColumn {
  /** Per row, an index into `dictionary`. */
  readonly codes: Int32Array;
  /** The distinct values. */
  readonly dictionary: readonly string[];
}

/** The columns of one batch, keyed by column name: pass it to `db.insertColumns`. */
export type CpuColumns =
  & { readonly time: Float64Array }
  & { readonly [K in CpuTagName]: string[] }
  & { readonly [K in CpuMetricName]: Float64Array };

/** One batch of generated rows. */
export interface CpuBatch {
  /** Rows in this batch. */
  readonly length: number;
  /** Index of the batch's first row in the whole data set. */
  readonly firstRow: number;
  /** Every column: `time` in microseconds since the epoch, tags as strings, metrics. */
  readonly columns: CpuColumns;
  /** The tag columns again, dictionary-encoded (the dictionaries are shared by all batches). */
  readonly tagCodes: { readonly [K in CpuTagName]: DictionaryColumn };
}

/** The resolved settings of a generator. */
export interface CpuDataSet {
  /** Number of hosts. */
  readonly hosts: number;
  /** First timestamp, microseconds since the epoch. */
  readonly startMicros: number;
  /** Seconds between readings of one host. */
  readonly intervalSeconds: number;
  /** Total rows. */
  readonly rows: number;
  /** PRNG seed. */
  readonly seed: number;
  /** Rows per batch or chunk. */
  readonly batchRows: number;
  /** Tag values of each host, by host index. */
  readonly hostTags: { readonly [K in CpuTagName]: DictionaryColumn };
}

function invalid(message: string): DbError {
  return new DbError(SqlState.invalidParameterValue, `TSBS generator: ${message}`);
}

function checkInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/**
 * Resolves options into a data set description: defaults, validation (bad options throw a
 * `DbError` 22023) and each host's tags, chosen deterministically from the seed.
 */
export function describeCpuDataSet(options: CpuGeneratorOptions = {}): CpuDataSet {
  const hosts = checkInt("hosts", options.hosts ?? cpuHostsDefault, 1, cpuHostsMax);
  const intervalSeconds = checkInt(
    "intervalSeconds",
    options.intervalSeconds ?? cpuIntervalSecondsDefault,
    1,
    86_400 * 366,
  );
  const seed = checkInt("seed", options.seed ?? cpuSeedDefault, 0, 0xffff_ffff);
  const batchRows = checkInt(
    "batchRows",
    options.batchRows ?? cpuBatchRowsDefault,
    1,
    cpuBatchRowsMax,
  );
  const start = options.start ?? cpuStartDefault;
  const startMs = typeof start === "string" ? Date.parse(start) : start.getTime();
  if (!Number.isFinite(startMs)) throw invalid(`start is not a valid time: ${String(start)}`);
  if (options.rows !== undefined && options.durationSeconds !== undefined) {
    throw invalid("give rows or durationSeconds, not both");
  }
  let rows: number;
  if (options.rows !== undefined) {
    rows = checkInt("rows", options.rows, 0, cpuRowsMax);
  } else {
    const duration = options.durationSeconds ?? 3600;
    if (!Number.isFinite(duration) || duration < 0) {
      throw invalid(`durationSeconds must be >= 0, got ${duration}`);
    }
    rows = checkInt("rows", hosts * Math.ceil(duration / intervalSeconds), 0, cpuRowsMax);
  }
  const lastMicros = startMs * 1000 +
    Math.floor(Math.max(rows - 1, 0) / hosts) * intervalSeconds * 1e6;
  if (!Number.isSafeInteger(startMs * 1000) || !Number.isSafeInteger(lastMicros) || startMs < 0) {
    throw invalid("timestamps must lie between 1970 and year 2255");
  }

  // Tags: hostname is the host index; region and datacenter are drawn per host from the seed.
  const tagRandom = new SeededRandom((seed ^ 0x5bd1e995) >>> 0);
  const hostCodes = new Int32Array(hosts);
  const regionCodes = new Int32Array(hosts);
  const dcCodes = new Int32Array(hosts);
  const hostNames: string[] = new Array<string>(hosts);
  const dcDictionary: string[] = [];
  const dcFirstCode: number[] = [];
  for (const r of cpuRegions) {
    dcFirstCode.push(dcDictionary.length);
    dcDictionary.push(...r.datacenters);
  }
  for (let h = 0; h < hosts; h++) {
    hostNames[h] = `host_${h}`;
    hostCodes[h] = h;
    const region = tagRandom.nextUint32() % cpuRegions.length;
    regionCodes[h] = region;
    dcCodes[h] = dcFirstCode[region]! +
      tagRandom.nextUint32() % cpuRegions[region]!.datacenters.length;
  }
  return {
    hosts,
    startMicros: startMs * 1000,
    intervalSeconds,
    rows,
    seed,
    batchRows,
    hostTags: {
      hostname: { codes: hostCodes, dictionary: hostNames },
      region: { codes: regionCodes, dictionary: cpuRegions.map((r) => r.region) },
      datacenter: { codes: dcCodes, dictionary: dcDictionary },
    },
  };
}

/**
 * The raw stream both outputs share: per batch, the host index and time of each row and every
 * metric in hundredths. One walk state per host and metric, advanced once per reading.
 */
class CpuWalk {
  readonly set: CpuDataSet;
  readonly #random: SeededRandom;
  /** Current value of metric m for host h at `[m * hosts + h]`, in hundredths. */
  readonly #state: Int32Array;
  #row = 0;

  constructor(set: CpuDataSet) {
    this.set = set;
    this.#random = new SeededRandom(set.seed);
    this.#state = new Int32Array(cpuMetricNames.length * set.hosts);
    for (let i = 0; i < this.#state.length; i++) {
      this.#state[i] = this.#random.nextUint32() % (metricCentsMax + 1);
    }
  }

  /** Index of the next row to generate. */
  get row(): number {
    return this.#row;
  }

  /**
   * Generates the next `count` rows into the given arrays: host index, time in microseconds, and
   * one Int32Array of hundredths per metric (`metrics[m][i]`).
   */
  fill(count: number, host: Int32Array, time: Float64Array, metrics: readonly Int32Array[]): void {
    const hosts = this.set.hosts;
    const stepMicros = this.set.intervalSeconds * 1e6;
    const state = this.#state;
    const random = this.#random;
    const metricCount = metrics.length;
    let h = this.#row % hosts;
    let t = this.set.startMicros + Math.floor(this.#row / hosts) * stepMicros;
    for (let i = 0; i < count; i++) {
      host[i] = h;
      time[i] = t;
      for (let m = 0; m < metricCount; m++) {
        // Triangular step in [-walkStepCentsMax, walkStepCentsMax] from one 32-bit draw.
        const u = random.nextUint32();
        const step = ((((u & 0xffff) + (u >>> 16) - 0xffff) * walkStepCentsMax) / 0xffff) | 0;
        const k = m * hosts + h;
        let v = state[k]! + step;
        if (v < 0) v = -v;
        else if (v > metricCentsMax) v = 2 * metricCentsMax - v;
        state[k] = v;
        metrics[m]![i] = v;
      }
      if (++h === hosts) {
        h = 0;
        t += stepMicros;
      }
    }
    this.#row += count;
  }
}

function allocCents(rows: number): Int32Array[] {
  return cpuMetricNames.map(() => new Int32Array(rows));
}

/**
 * Generates the data set as column batches of `batchRows` rows (the last may be shorter). Each
 * batch has fresh arrays, so a consumer may keep them.
 */
export function* generateCpuBatches(options: CpuGeneratorOptions = {}): Generator<CpuBatch> {
  const set = describeCpuDataSet(options);
  const walk = new CpuWalk(set);
  const tags = set.hostTags;
  const hostNames = tags.hostname.dictionary;
  const regionNames = tags.region.dictionary;
  const dcNames = tags.datacenter.dictionary;
  const regionOfHost = tags.region.codes;
  const dcOfHost = tags.datacenter.codes;
  const scratchRows = Math.min(set.batchRows, set.rows);
  const cents = allocCents(scratchRows);
  while (walk.row < set.rows) {
    const firstRow = walk.row;
    const n = Math.min(set.batchRows, set.rows - firstRow);
    const hostCodes = new Int32Array(n);
    const time = new Float64Array(n);
    walk.fill(n, hostCodes, time, cents);
    const regionCodes = new Int32Array(n);
    const dcCodes = new Int32Array(n);
    const hostname = new Array<string>(n);
    const region = new Array<string>(n);
    const datacenter = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const h = hostCodes[i]!;
      const r = regionOfHost[h]!;
      const d = dcOfHost[h]!;
      regionCodes[i] = r;
      dcCodes[i] = d;
      hostname[i] = hostNames[h]!;
      region[i] = regionNames[r]!;
      datacenter[i] = dcNames[d]!;
    }
    const metrics = cpuMetricNames.map((_, m) => {
      const src = cents[m]!;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = src[i]! / 100;
      return out;
    });
    const columns = { time, hostname, region, datacenter } as Record<
      string,
      Float64Array | string[]
    >;
    cpuMetricNames.forEach((name, m) => (columns[name] = metrics[m]!));
    yield {
      length: n,
      firstRow,
      columns: columns as CpuColumns,
      tagCodes: {
        hostname: { codes: hostCodes, dictionary: hostNames },
        region: { codes: regionCodes, dictionary: regionNames },
        datacenter: { codes: dcCodes, dictionary: dcNames },
      },
    };
  }
}

const encoder = new TextEncoder();
const charDot = 0x2e;
const charZero = 0x30;
const charSpace = 0x20;
const charNewline = 0x0a;

/** Writes a non-negative integer's decimal digits at `pos`; returns the position after them. */
function writeUint(out: Uint8Array, pos: number, value: number): number {
  if (value < 10) {
    out[pos] = charZero + value;
    return pos + 1;
  }
  let digits = 0;
  for (let v = value; v >= 1; v = Math.floor(v / 10)) digits++;
  let v = value;
  for (let i = pos + digits - 1; i >= pos; i--) {
    const q = Math.floor(v / 10);
    out[i] = charZero + (v - q * 10);
    v = q;
  }
  return pos + digits;
}

/** Writes hundredths as JavaScript's shortest decimal (5813 -> "58.13", 5810 -> "58.1", 5800 -> "58"). */
function writeCents(out: Uint8Array, pos: number, cents: number): number {
  const whole = (cents / 100) | 0;
  const frac = cents - whole * 100;
  pos = writeUint(out, pos, whole);
  if (frac !== 0) {
    out[pos++] = charDot;
    const tens = (frac / 10) | 0;
    const ones = frac - tens * 10;
    out[pos++] = charZero + tens;
    if (ones !== 0) out[pos++] = charZero + ones;
  }
  return pos;
}

/**
 * Generates the data set as InfluxDB line protocol, `batchRows` lines per chunk, one row per
 * line with a nanosecond timestamp:
 * `cpu,hostname=host_0,region=eu-west-1,datacenter=eu-west-1a usage_user=58.13,... 1451606400000000000`.
 * Describes exactly the rows {@link generateCpuBatches} yields for the same options.
 */
export function* generateCpuLineProtocol(options: CpuGeneratorOptions = {}): Generator<Uint8Array> {
  const set = describeCpuDataSet(options);
  const walk = new CpuWalk(set);
  const tags = set.hostTags;
  // Per host: "cpu,hostname=..,region=..,datacenter=.. " as bytes.
  const prefixes: Uint8Array[] = [];
  let prefixBytesMax = 0;
  for (let h = 0; h < set.hosts; h++) {
    const p = encoder.encode(
      `${cpuTableName},hostname=${tags.hostname.dictionary[h]},region=${
        tags.region.dictionary[tags.region.codes[h]!]
      },datacenter=${tags.datacenter.dictionary[tags.datacenter.codes[h]!]} `,
    );
    prefixes.push(p);
    prefixBytesMax = Math.max(prefixBytesMax, p.length);
  }
  const keys = cpuMetricNames.map((m, i) => encoder.encode(`${i === 0 ? "" : ","}${m}=`));
  let lineBytesMax = prefixBytesMax + timestampBytesMax;
  for (const k of keys) lineBytesMax += k.length + metricValueBytesMax;

  const scratchRows = Math.min(set.batchRows, set.rows);
  const host = new Int32Array(scratchRows);
  const time = new Float64Array(scratchRows);
  const cents = allocCents(scratchRows);
  const metricCount = cents.length;
  const tsDigits = new Uint8Array(timestampBytesMax);
  while (walk.row < set.rows) {
    const n = Math.min(set.batchRows, set.rows - walk.row);
    walk.fill(n, host, time, cents);
    const out = new Uint8Array(n * lineBytesMax);
    let pos = 0;
    let tsTime = -1;
    let tsLength = 0;
    for (let i = 0; i < n; i++) {
      const prefix = prefixes[host[i]!]!;
      out.set(prefix, pos);
      pos += prefix.length;
      for (let m = 0; m < metricCount; m++) {
        const key = keys[m]!;
        out.set(key, pos);
        pos += key.length;
        pos = writeCents(out, pos, cents[m]![i]!);
      }
      const t = time[i]!;
      if (t !== tsTime) {
        // The same time repeats for every host: format " <us>000\n" once per reading.
        tsTime = t;
        tsDigits[0] = charSpace;
        tsLength = writeUint(tsDigits, 1, t);
        tsDigits[tsLength++] = charZero;
        tsDigits[tsLength++] = charZero;
        tsDigits[tsLength++] = charZero;
        tsDigits[tsLength++] = charNewline;
      }
      for (let j = 0; j < tsLength; j++) out[pos + j] = tsDigits[j]!;
      pos += tsLength;
    }
    yield out.subarray(0, pos);
  }
}
