import assert from "node:assert/strict";
import { DbError } from "../../core/errors.ts";
import {
  type CpuBatch,
  cpuCreateTableSql,
  type CpuGeneratorOptions,
  cpuMetricNames,
  cpuRegions,
  cpuTagNames,
  describeCpuDataSet,
  generateCpuBatches,
  generateCpuLineProtocol,
} from "./tsbs.ts";

/** 2016-01-01T00:00:00Z in microseconds. */
const tsbsStartMicros = 1_451_606_400_000_000;

/** One parsed line-protocol point (test-only parser, strict about the subset we emit). */
interface Point {
  measurement: string;
  tags: Map<string, string>;
  fields: Map<string, number>;
  timestampNs: bigint;
}

const floatPattern = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

function parseLine(line: string): Point {
  const parts = line.split(" ");
  assert.equal(parts.length, 3, `line must have 3 space-separated sections: ${line}`);
  const [series, fieldText, tsText] = parts as [string, string, string];
  const [measurement, ...tagPairs] = series.split(",");
  assert.ok(measurement !== undefined && measurement.length > 0, "measurement");
  const tags = new Map<string, string>();
  for (const pair of tagPairs) {
    const eq = pair.indexOf("=");
    assert.ok(eq > 0 && eq < pair.length - 1, `bad tag ${pair}`);
    const key = pair.slice(0, eq);
    assert.ok(!tags.has(key), `duplicate tag ${key}`);
    tags.set(key, pair.slice(eq + 1));
  }
  const fields = new Map<string, number>();
  for (const pair of fieldText.split(",")) {
    const eq = pair.indexOf("=");
    assert.ok(eq > 0, `bad field ${pair}`);
    const text = pair.slice(eq + 1);
    assert.match(text, floatPattern, `field value is a float: ${pair}`);
    fields.set(pair.slice(0, eq), Number(text));
  }
  assert.match(tsText, /^\d+$/, "timestamp is an integer");
  return { measurement, tags, fields, timestampNs: BigInt(tsText) };
}

function parseChunks(chunks: Iterable<Uint8Array>): Point[] {
  const decoder = new TextDecoder();
  const points: Point[] = [];
  for (const chunk of chunks) {
    const text = decoder.decode(chunk);
    assert.ok(text.endsWith("\n"), "a chunk ends with a newline");
    for (const line of text.slice(0, -1).split("\n")) points.push(parseLine(line));
  }
  return points;
}

function concatBytes(chunks: Iterable<Uint8Array>): Uint8Array {
  const list = [...chunks];
  const out = new Uint8Array(list.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of list) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

function allBatches(options: CpuGeneratorOptions): CpuBatch[] {
  return [...generateCpuBatches(options)];
}

/** Flattens one column over all batches into a plain array. */
function column(batches: readonly CpuBatch[], name: string): (number | string)[] {
  const out: (number | string)[] = [];
  for (const b of batches) {
    const c = (b.columns as unknown as Record<string, ArrayLike<number | string>>)[name];
    assert.ok(c !== undefined, `column ${name}`);
    assert.equal(c.length, b.length);
    for (let i = 0; i < c.length; i++) out.push(c[i]!);
  }
  return out;
}

Deno.test("same seed gives identical bytes and columns; another seed differs", () => {
  const options = { hosts: 7, rows: 500, seed: 42, batchRows: 64 };
  const a = concatBytes(generateCpuLineProtocol(options));
  const b = concatBytes(generateCpuLineProtocol(options));
  assert.ok(a.length > 0);
  assert.deepEqual(a, b);
  const c = concatBytes(generateCpuLineProtocol({ ...options, seed: 43 }));
  assert.notDeepEqual(a, c);

  const colsA = allBatches(options);
  const colsB = allBatches(options);
  for (const name of ["time", ...cpuTagNames, ...cpuMetricNames]) {
    assert.deepEqual(column(colsA, name), column(colsB, name), name);
  }
  const other = allBatches({ ...options, seed: 43 });
  assert.notDeepEqual(column(colsA, "usage_user"), column(other, "usage_user"));
});

Deno.test("batch size does not change the data", () => {
  const small = allBatches({ hosts: 5, rows: 333, batchRows: 7 });
  const large = allBatches({ hosts: 5, rows: 333, batchRows: 4096 });
  assert.equal(small.length, Math.ceil(333 / 7));
  assert.equal(large.length, 1);
  for (const name of ["time", ...cpuTagNames, ...cpuMetricNames]) {
    assert.deepEqual(column(small, name), column(large, name), name);
  }
  assert.deepEqual(
    concatBytes(generateCpuLineProtocol({ hosts: 5, rows: 333, batchRows: 7 })),
    concatBytes(generateCpuLineProtocol({ hosts: 5, rows: 333, batchRows: 1000 })),
  );
});

Deno.test("metrics are bounded random walks in [0, 100] with two decimals", () => {
  const hosts = 20;
  const batches = allBatches({ hosts, rows: hosts * 2000, seed: 9 });
  let sawLow = false;
  let sawHigh = false;
  for (const name of cpuMetricNames) {
    const values = column(batches, name) as number[];
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      assert.ok(v >= 0 && v <= 100, `${name}[${i}] = ${v} out of [0, 100]`);
      assert.ok(
        Number.isInteger(Math.round(v * 100)) && Math.abs(v * 100 - Math.round(v * 100)) < 1e-6,
      );
      if (v < 5) sawLow = true;
      if (v > 95) sawHigh = true;
      if (i >= hosts) {
        const step = Math.abs(v - values[i - hosts]!);
        assert.ok(step <= 1.0000001, `${name} host ${i % hosts} jumped by ${step}`);
      }
    }
    const distinct = new Set(values).size;
    assert.ok(distinct > 100, `${name} varies (${distinct} distinct values)`);
  }
  assert.ok(sawLow && sawHigh, "walks reach both ends of the range");
});

Deno.test("timestamps start at 2016-01-01, step 10 s per reading, ordered by time then host", () => {
  const hosts = 3;
  const batches = allBatches({ hosts, rows: 10, batchRows: 4 });
  assert.deepEqual(column(batches, "time"), [
    tsbsStartMicros,
    tsbsStartMicros,
    tsbsStartMicros,
    tsbsStartMicros + 10e6,
    tsbsStartMicros + 10e6,
    tsbsStartMicros + 10e6,
    tsbsStartMicros + 20e6,
    tsbsStartMicros + 20e6,
    tsbsStartMicros + 20e6,
    tsbsStartMicros + 30e6,
  ]);
  assert.deepEqual(column(batches, "hostname"), [
    "host_0",
    "host_1",
    "host_2",
    "host_0",
    "host_1",
    "host_2",
    "host_0",
    "host_1",
    "host_2",
    "host_0",
  ]);
  assert.deepEqual(batches.map((b) => b.firstRow), [0, 4, 8]);

  const custom = allBatches({
    hosts: 2,
    durationSeconds: 60,
    intervalSeconds: 30,
    start: "2020-02-29T12:00:00Z",
  });
  const t0 = Date.parse("2020-02-29T12:00:00Z") * 1000;
  assert.deepEqual(column(custom, "time"), [t0, t0, t0 + 30e6, t0 + 30e6]);

  const defaults = describeCpuDataSet();
  assert.equal(defaults.hosts, 100);
  assert.equal(defaults.rows, 100 * 360, "default is one hour of data");
  assert.equal(defaults.startMicros, tsbsStartMicros);
});

Deno.test("tags are TSBS-like and fixed per host; dictionary codes match the strings", () => {
  const hosts = 50;
  const batches = allBatches({ hosts, rows: hosts * 4, batchRows: 33 });
  const regionOf = new Map(cpuRegions.map((r) => [r.region, r.datacenters]));
  const seen = new Map<string, string>();
  const regions = new Set<string>();
  for (const b of batches) {
    for (let i = 0; i < b.length; i++) {
      const host = b.columns.hostname[i]!;
      const region = b.columns.region[i]!;
      const dc = b.columns.datacenter[i]!;
      assert.match(host, /^host_\d+$/);
      assert.ok(regionOf.get(region)?.includes(dc), `${dc} is in ${region}`);
      const key = `${region}/${dc}`;
      assert.equal(seen.get(host) ?? key, key, `${host} keeps its tags`);
      seen.set(host, key);
      regions.add(region);
      for (const tag of cpuTagNames) {
        const { codes, dictionary } = b.tagCodes[tag];
        assert.equal(codes.length, b.length);
        assert.equal(dictionary[codes[i]!], b.columns[tag][i], `${tag} code of row ${i}`);
      }
    }
  }
  assert.equal(seen.size, hosts);
  assert.ok(regions.size >= 5, `hosts spread over regions (${regions.size})`);
  const otherSeed = describeCpuDataSet({ hosts, seed: 99 }).hostTags.region.codes;
  assert.notDeepEqual(describeCpuDataSet({ hosts }).hostTags.region.codes, otherSeed);
});

Deno.test("line protocol parses back to exactly the column data", () => {
  const options = { hosts: 11, rows: 1000, seed: 5, batchRows: 128 };
  const points = parseChunks(generateCpuLineProtocol(options));
  const batches = allBatches({ ...options, batchRows: 300 });
  assert.equal(points.length, 1000);
  const time = column(batches, "time") as number[];
  const expected = new Map([...cpuTagNames, ...cpuMetricNames].map((n) => [n, column(batches, n)]));
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    assert.equal(p.measurement, "cpu");
    assert.deepEqual([...p.tags.keys()], [...cpuTagNames]);
    for (const tag of cpuTagNames) {
      assert.equal(p.tags.get(tag), expected.get(tag)![i], `row ${i} tag ${tag}`);
    }
    assert.deepEqual([...p.fields.keys()], [...cpuMetricNames]);
    for (const m of cpuMetricNames) {
      assert.equal(p.fields.get(m), expected.get(m)![i], `row ${i} field ${m}`);
    }
    assert.equal(p.timestampNs, BigInt(time[i]!) * 1000n, `row ${i} timestamp`);
  }
  const first = new TextDecoder().decode(
    generateCpuLineProtocol({ hosts: 1, rows: 1 }).next().value,
  );
  assert.match(
    first,
    /^cpu,hostname=host_0,region=[a-z0-9-]+,datacenter=[a-z0-9-]+ usage_user=\d+(\.\d+)?,usage_system=[^ ]+ 1451606400000000000\n$/,
  );
});

Deno.test("values print in JavaScript's shortest form", () => {
  const points = parseChunks(generateCpuLineProtocol({ hosts: 4, rows: 4000, seed: 1 }));
  const batches = allBatches({ hosts: 4, rows: 4000, seed: 1 });
  const texts = new TextDecoder().decode(
    concatBytes(generateCpuLineProtocol({ hosts: 4, rows: 4000, seed: 1 })),
  )
    .split("\n");
  const values = column(batches, "usage_user") as number[];
  for (let i = 0; i < points.length; i++) {
    const expected = `usage_user=${String(values[i])},`;
    assert.ok(texts[i]!.includes(` ${expected}`), `${texts[i]} contains ${expected}`);
  }
});

Deno.test("bad options throw DbError 22023", () => {
  const bad: CpuGeneratorOptions[] = [
    { hosts: 0 },
    { hosts: 1.5 },
    { rows: -1 },
    { batchRows: 0 },
    { intervalSeconds: 0 },
    { seed: -1 },
    { start: "not a date" },
    { start: "1969-12-31T00:00:00Z" },
    { rows: 10, durationSeconds: 10 },
    { durationSeconds: Number.NaN },
  ];
  for (const options of bad) {
    assert.throws(() => describeCpuDataSet(options), (e: unknown) => {
      assert.ok(e instanceof DbError, `${JSON.stringify(options)} throws DbError`);
      assert.equal(e.code, "22023");
      return true;
    });
    assert.throws(() => generateCpuBatches(options).next(), DbError);
  }
  assert.deepEqual([...generateCpuBatches({ rows: 0 })], []);
  assert.deepEqual([...generateCpuLineProtocol({ rows: 0 })], []);
});

Deno.test("CREATE TABLE statement names every generated column", () => {
  const names = [...cpuCreateTableSql.matchAll(/(\w+) (?:TIMESTAMPTZ|TEXT|DOUBLE PRECISION)/g)].map(
    (m) => m[1],
  );
  const batch = generateCpuBatches({ rows: 1 }).next().value;
  assert.ok(batch !== undefined);
  assert.deepEqual(names, Object.keys(batch.columns));
});
