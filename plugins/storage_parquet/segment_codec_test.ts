import assert from "node:assert/strict";
import fc from "fast-check";
import { DuckDBInstance } from "@duckdb/node-api";
import { DbError, SqlState } from "../../core/errors.ts";
import { type Column, columnFromValues, type Value, valueAt } from "../../core/types/column.ts";
import { arrayOf, type DataType, Types } from "../../core/types/data_type.ts";
import {
  decodeSegment,
  encodeSegment,
  readSegmentFooter,
  type SegmentColumnSpec,
} from "./segment_codec.ts";
import { addSegmentTrailer, segmentTrailerBytes } from "./_segment_layout.ts";

const int8Min = -(2n ** 63n);
const int8Max = 2n ** 63n - 1n;

/** One column of every type, with NULLs, extremes, infinities, NaN, empty strings, unicode. */
const cases: readonly { spec: SegmentColumnSpec; values: readonly Value[] }[] = [
  { spec: { id: 1, name: "b", type: Types.bool }, values: [true, null, false, true] },
  { spec: { id: 2, name: "i2", type: Types.int2 }, values: [-32768, 32767, null, 0] },
  { spec: { id: 3, name: "i4", type: Types.int4 }, values: [-2147483648, 2147483647, null, 7] },
  { spec: { id: 4, name: "i8", type: Types.int8 }, values: [int8Min, int8Max, null, 0n] },
  { spec: { id: 5, name: "f4", type: Types.float4 }, values: [1.5, NaN, null, -Infinity] },
  { spec: { id: 6, name: "f8", type: Types.float8 }, values: [NaN, -0.1, null, Infinity] },
  { spec: { id: 7, name: "n", type: Types.numeric }, values: ["12.50", null, "-0.001", "1e3"] },
  {
    spec: { id: 8, name: "n2", type: { kind: "numeric", precision: 10, scale: 2 } },
    values: ["1.00", null, "99999999.99", "0.00"],
  },
  { spec: { id: 9, name: "t", type: Types.text }, values: ["", null, "héllo 🦆", "x".repeat(200)] },
  { spec: { id: 10, name: "vc", type: Types.varchar }, values: ["a", "", null, "日本"] },
  { spec: { id: 11, name: "d", type: Types.date }, values: [0, -2147483648, 2147483647, null] },
  {
    spec: { id: 12, name: "ts", type: Types.timestamp },
    values: [Infinity, -Infinity, null, 1_451_606_400_000_001],
  },
  {
    spec: { id: 13, name: "tstz", type: Types.timestamptz },
    values: [-Infinity, 0, -62_135_596_800_000_000, Infinity],
  },
  { spec: { id: 14, name: "tm", type: Types.time }, values: [0, 86_400_000_000, null, 1] },
  { spec: { id: 15, name: "iv", type: Types.interval }, values: ["1 mon 2 days", null, "", "x"] },
  {
    spec: { id: 16, name: "arr", type: arrayOf(Types.int4) },
    values: ["{1,2,NULL}", "{}", null, ""],
  },
];
const rows = 4;

function valuesOf(col: Column): Value[] {
  return Array.from({ length: col.length }, (_, i) => valueAt(col, i));
}

async function everyTypeSegment(): Promise<Uint8Array> {
  return await encodeSegment(
    cases.map((c) => c.spec),
    cases.map((c) => columnFromValues(c.spec.type, c.values)),
    rows,
    { keyValue: { "omendb.table_id": "42", "omendb.lsn_min": "1", "omendb.lsn_max": "9" } },
  );
}

function isCorrupted(e: unknown): boolean {
  return e instanceof DbError && e.code === SqlState.dataCorrupted;
}

Deno.test("every type round-trips with NULLs, extremes, infinities, NaN, empty strings", async () => {
  const bytes = await everyTypeSegment();
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), "PAR1");
  const cols = await decodeSegment(bytes, cases.map((c) => c.spec));
  cases.forEach((c, k) => {
    const col = cols[k]!;
    assert.equal(col.kind, c.spec.type.kind);
    assert.deepEqual(col.type, c.spec.type);
    const want = c.spec.type.kind === "float4"
      ? c.values.map((v) => typeof v === "number" ? Math.fround(v) : v)
      : c.values;
    assert.deepEqual(valuesOf(col), want, c.spec.name);
  });
});

Deno.test("footer: rows, field ids, key-value metadata, statistics", async () => {
  const f = readSegmentFooter(await everyTypeSegment());
  assert.equal(f.rows, rows);
  assert.deepEqual(f.columns.map((c) => c.id), cases.map((c) => c.spec.id));
  assert.deepEqual(f.columns.map((c) => c.name), cases.map((c) => c.spec.name));
  assert.equal(f.keyValue["omendb.format_version"], "1");
  assert.equal(f.keyValue["omendb.table_id"], "42");
  assert.equal(f.keyValue["omendb.lsn_max"], "9");
  assert.equal(f.keyValue["ARROW:schema"], undefined);
  const stats = Object.fromEntries(f.columns.map((c) => [c.name, c.stats]));
  assert.deepEqual(stats.b, { min: false, max: true, nullCount: 1 });
  assert.deepEqual(stats.i2, { min: -32768, max: 32767, nullCount: 1 });
  assert.deepEqual(stats.i8, { min: int8Min, max: int8Max, nullCount: 1 });
  // NaN is the largest float, as in PostgreSQL.
  assert.deepEqual(stats.f4, { min: -Infinity, max: NaN, nullCount: 1 });
  assert.deepEqual(stats.f8, { min: -0.1, max: NaN, nullCount: 1 });
  assert.deepEqual(stats.d, { min: -2147483648, max: 2147483647, nullCount: 1 });
  assert.deepEqual(stats.ts, { min: -Infinity, max: Infinity, nullCount: 1 });
  assert.deepEqual(stats.tstz, { min: -Infinity, max: Infinity, nullCount: 0 });
  assert.deepEqual(stats.tm, { min: 0, max: 86_400_000_000, nullCount: 1 });
  assert.deepEqual(stats.vc, { min: "", max: "日本", nullCount: 1 });
  // A long string's bound may be truncated but still brackets the values.
  assert.equal(stats.t!.min, "");
  assert.ok((stats.t!.max as string) >= "x".repeat(200) || stats.t!.max === "héllo 🦆");
});

Deno.test("statistics: NULLs ignored, all-NULL column has null bounds, zero rows", async () => {
  const specs = [
    { id: 1, name: "a", type: Types.int4 },
    { id: 2, name: "b", type: Types.float8 },
    { id: 3, name: "c", type: Types.float8 },
  ];
  const bytes = await encodeSegment(specs, [
    columnFromValues(Types.int4, [null, 5, null, -3]),
    columnFromValues(Types.float8, [null, null, null, null]),
    columnFromValues(Types.float8, [NaN, null, NaN, NaN]),
  ], 4);
  const [a, b, c] = readSegmentFooter(bytes).columns.map((x) => x.stats);
  assert.deepEqual(a, { min: -3, max: 5, nullCount: 2 });
  assert.deepEqual(b, { min: null, max: null, nullCount: 4 });
  assert.deepEqual(c, { min: NaN, max: NaN, nullCount: 1 });

  const empty = await encodeSegment(specs, specs.map((s) => columnFromValues(s.type, [])), 0);
  const f = readSegmentFooter(empty);
  assert.equal(f.rows, 0);
  assert.deepEqual(f.columns[0]!.stats, { min: null, max: null, nullCount: 0 });
  const decoded = await decodeSegment(empty, specs);
  assert.deepEqual(decoded.map((x) => x?.length), [0, 0, 0]);
});

Deno.test("projection by field id after a rename; a missing id is null", async () => {
  const bytes = await everyTypeSegment();
  const [ts, gone, t] = await decodeSegment(bytes, [
    { id: 12, name: "renamed_ts", type: Types.timestamp },
    { id: 99, name: "added", type: Types.int4 },
    { id: 9, name: "t", type: Types.text },
  ]);
  assert.deepEqual(valuesOf(ts!), cases[11]!.values);
  assert.equal(gone, null);
  assert.deepEqual(valuesOf(t!), cases[8]!.values);
  // Only missing ids: nothing to decode.
  assert.deepEqual(await decodeSegment(bytes, [{ id: 99, name: "x", type: Types.int4 }]), [null]);
  // Same name, other id: not found.
  assert.deepEqual(await decodeSegment(bytes, [{ id: 98, name: "ts", type: Types.int4 }]), [null]);
});

Deno.test("a column stored as another type is 42804", async () => {
  const bytes = await everyTypeSegment();
  await assert.rejects(
    decodeSegment(bytes, [{ id: 3, name: "i4", type: Types.int8 }]),
    (e) => e instanceof DbError && e.code === SqlState.datatypeMismatch,
  );
});

Deno.test("row ranges, across row groups", async () => {
  const n = 10_000;
  const ints = Array.from({ length: n }, (_, i) => i % 7 === 0 ? null : i);
  const strs = Array.from({ length: n }, (_, i) => i % 5 === 0 ? null : `s${i % 13}`);
  const specs = [
    { id: 1, name: "i", type: Types.int8 },
    { id: 2, name: "s", type: Types.text },
  ];
  const bytes = await encodeSegment(
    specs,
    [
      columnFromValues(Types.int8, ints.map((v) => v === null ? null : BigInt(v))),
      columnFromValues(Types.text, strs),
    ],
    n,
    { rowGroupRowsMax: 3000 },
  );
  const full = await decodeSegment(bytes, specs);
  assert.deepEqual(valuesOf(full[1]!), strs);
  for (const [start, end] of [[0, n], [0, 1], [2999, 3001], [4500, 9999], [n, n], [5, 5]]) {
    const [i, s] = await decodeSegment(bytes, specs, { start: start!, end: end! });
    assert.deepEqual(
      valuesOf(i!),
      ints.slice(start, end).map((v) => v === null ? null : BigInt(v)),
      `[${start}, ${end})`,
    );
    assert.deepEqual(valuesOf(s!), strs.slice(start, end));
  }
  const f = readSegmentFooter(bytes);
  assert.deepEqual(f.columns[0]!.stats, { min: 1n, max: BigInt(n - 1), nullCount: 1429 });
});

Deno.test("damaged files are DbError XX001, never a crash", async () => {
  const bytes = await everyTypeSegment();
  const spec = cases.map((c) => c.spec);
  const damaged: [string, Uint8Array][] = [
    ["empty", new Uint8Array(0)],
    ["truncated", bytes.subarray(0, bytes.length - 10)],
    ["cut in half", bytes.subarray(0, bytes.length >> 1)],
    ["wrong magic", Uint8Array.from(bytes, (b, i) => i === 0 ? 0x51 : b)],
    ["footer length", Uint8Array.from(bytes, (b, i) => i === bytes.length - 6 ? b ^ 0x40 : b)],
  ];
  for (let i = bytes.length - 9; i > bytes.length - 400; i -= 7) {
    damaged.push([`footer byte ${i}`, Uint8Array.from(bytes, (b, j) => j === i ? b ^ 0x10 : b)]);
  }
  for (let i = 4; i < 300; i += 23) {
    damaged.push([`data byte ${i}`, Uint8Array.from(bytes, (b, j) => j === i ? b ^ 0x01 : b)]);
  }
  for (const [what, b] of damaged) {
    const footerOk = (() => {
      try {
        readSegmentFooter(b);
        return true;
      } catch (e) {
        assert.ok(isCorrupted(e), `${what}: ${e}`);
        return false;
      }
    })();
    if (what.startsWith("data") || what.startsWith("footer")) {
      assert.equal(footerOk, what.startsWith("data"), what);
    }
    await assert.rejects(decodeSegment(b, spec), isCorrupted, what);
  }
  // Still works after all of that.
  assert.equal((await decodeSegment(bytes, spec)).length, spec.length);
});

/** The segment with its footer changed by `edit` and the trailer's checksums made valid again. */
function editFooter(bytes: Uint8Array, edit: (footer: Uint8Array) => void): Uint8Array {
  const n = bytes.length;
  const footerBytes = new DataView(bytes.buffer, bytes.byteOffset).getUint32(n - 8, true);
  const trailerStart = n - 8 - footerBytes - segmentTrailerBytes;
  const parquet = new Uint8Array(n - segmentTrailerBytes);
  parquet.set(bytes.subarray(0, trailerStart));
  parquet.set(bytes.subarray(trailerStart + segmentTrailerBytes), trailerStart);
  edit(parquet.subarray(trailerStart, n - segmentTrailerBytes - 8));
  return addSegmentTrailer(parquet);
}

Deno.test("an unknown format version or a foreign Parquet file is XX001", async () => {
  const bytes = await everyTypeSegment();
  const key = new TextEncoder().encode("omendb.format_version");
  const setVersion = (v: string) =>
    editFooter(bytes, (footer) => {
      const text = new TextDecoder("latin1").decode(footer);
      const at = text.indexOf("omendb.format_version") + key.length;
      assert.deepEqual([...footer.subarray(at + 1, at + 3)], [1, 0x31]); // length 1, "1"
      footer[at + 2] = v.charCodeAt(0);
    });
  assert.equal(readSegmentFooter(setVersion("1")).rows, rows);
  assert.throws(() => readSegmentFooter(setVersion("2")), (e) => {
    assert.ok(isCorrupted(e));
    assert.match((e as Error).message, /unknown format version "2"/);
    return true;
  });
  await assert.rejects(decodeSegment(setVersion("2"), []), isCorrupted);
  // A plain Parquet file (no trailer): DuckDB's own.
  const dir = await Deno.makeTempDir();
  const instance = await DuckDBInstance.create(":memory:");
  const db = await instance.connect();
  try {
    await db.run(`COPY (SELECT 1 AS a) TO '${dir}/x.parquet' (FORMAT parquet)`);
    const foreign = await Deno.readFile(`${dir}/x.parquet`);
    assert.throws(() => readSegmentFooter(foreign), /no OMDBSEG1 trailer/);
  } finally {
    db.closeSync();
    instance.closeSync();
    await Deno.remove(dir, { recursive: true });
  }
});

/** Random columns of the scalar kinds, for the property test. */
function columnArb(type: DataType, n: number): fc.Arbitrary<Value[]> {
  const nullable = <T extends Value>(a: fc.Arbitrary<T>) =>
    fc.array(fc.option(a, { nil: null, freq: 4 }), { minLength: n, maxLength: n });
  switch (type.kind) {
    case "bool":
      return nullable(fc.boolean());
    case "int4":
      return nullable(fc.integer());
    case "int8":
      return nullable(fc.bigInt({ min: int8Min, max: int8Max }));
    case "float8":
      return nullable(fc.double());
    case "timestamptz":
      return nullable(
        fc.oneof(
          fc.constantFrom(Infinity, -Infinity),
          fc.integer({ min: -210_866_803_200_000_000, max: 9_224_318_015_999_999 }),
        ),
      );
    case "date":
      return nullable(fc.integer({ min: -2147483648, max: 2147483647 }));
    default:
      return nullable(fc.string({ unit: "grapheme" }));
  }
}

Deno.test("property: random columns round-trip and stats bracket the values", async () => {
  const types: DataType[] = [
    Types.bool,
    Types.int4,
    Types.int8,
    Types.float8,
    Types.timestamptz,
    Types.date,
    Types.text,
  ];
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 40 }).chain((n) =>
        fc.tuple(fc.constant(n), fc.tuple(...types.map((t) => columnArb(t, n))))
      ),
      async ([n, values]) => {
        const specs = types.map((type, k) => ({ id: 100 + k, name: `c${k}`, type }));
        const bytes = await encodeSegment(
          specs,
          specs.map((s, k) => columnFromValues(s.type, values[k]!)),
          n,
        );
        const cols = await decodeSegment(bytes, specs);
        specs.forEach((_, k) => assert.deepEqual(valuesOf(cols[k]!), values[k]));
        const f = readSegmentFooter(bytes);
        specs.forEach((s, k) => {
          const present = values[k]!.filter((v) => v !== null);
          assert.equal(f.columns[k]!.stats.nullCount, n - present.length);
          if (s.type.kind === "text" || s.type.kind === "float8") return;
          const { min, max } = f.columns[k]!.stats;
          if (present.length === 0) return assert.deepEqual([min, max], [null, null]);
          const sorted = [...present].sort((a, b) => a! < b! ? -1 : a! > b! ? 1 : 0);
          assert.deepEqual([min, max], [sorted[0], sorted.at(-1)]);
        });
      },
    ),
    { numRuns: 60 },
  );
});

Deno.test("DuckDB reads a segment with natural types, the same rows and the field ids", async () => {
  const specs = cases.filter((c) => !["f4", "f8"].includes(c.spec.name));
  const bytes = await encodeSegment(
    specs.map((c) => c.spec),
    specs.map((c) => columnFromValues(c.spec.type, c.values)),
    rows,
  );
  const dir = await Deno.makeTempDir();
  const path = `${dir}/segment.parquet`;
  await Deno.writeFile(path, bytes);
  const instance = await DuckDBInstance.create(":memory:");
  const db = await instance.connect();
  try {
    const types = await db.runAndReadAll(
      `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${path}'))`,
    );
    assert.deepEqual(Object.fromEntries(types.getRows() as [string, string][]), {
      b: "BOOLEAN",
      i2: "SMALLINT",
      i4: "INTEGER",
      i8: "BIGINT",
      n: "VARCHAR",
      n2: "VARCHAR",
      t: "VARCHAR",
      vc: "VARCHAR",
      d: "DATE",
      ts: "TIMESTAMP",
      tstz: "TIMESTAMP WITH TIME ZONE",
      tm: "TIME",
      iv: "VARCHAR",
      arr: "VARCHAR",
    });
    const read = await db.runAndReadAll(
      `SELECT b, i2, i4, i8, n, t, vc, d::VARCHAR, ts::VARCHAR, epoch_us(tstz), tm::VARCHAR, iv
       FROM read_parquet('${path}')`,
    );
    const got = read.getRows().map((r) => r.map((v) => v === null ? null : String(v)));
    assert.deepEqual(got[0], [
      "true",
      "-32768",
      "-2147483648",
      String(int8Min),
      "12.50",
      "",
      "a",
      "1970-01-01",
      "infinity",
      got[0]![9],
      "00:00:00",
      "1 mon 2 days",
    ]);
    assert.deepEqual(got[1]!.slice(0, 4), [null, "32767", "2147483647", String(int8Max)]);
    assert.equal(got[1]![8], "-infinity");
    assert.equal(got[3]![8], "2016-01-01 00:00:00.000001");
    assert.equal(got[2]![10], null);
    assert.equal(got[1]![10], "24:00:00");
    assert.equal(got[0]![5], "");
    assert.equal(got[1]![5], null);
    assert.equal(got[2]![5], "héllo 🦆");
    const ids = await db.runAndReadAll(
      `SELECT name, field_id FROM parquet_schema('${path}') WHERE name <> 'arrow_schema'
       AND num_children IS NULL`,
    );
    assert.deepEqual(
      ids.getRows().map((r) => [String(r[0]), Number(r[1])]),
      specs.map((c) => [c.spec.name, c.spec.id]),
    );
  } finally {
    db.closeSync();
    instance.closeSync();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parquet-wasm loads and encodes in a module Worker", async () => {
  const { tsbsSegment } = await import("../../bench/_tsbs_segment.ts");
  const seg = tsbsSegment(1000);
  const worker = new Worker(
    new URL("../../bench/_parquet_encode_worker.ts", import.meta.url),
    { type: "module" },
  );
  try {
    const { bytes } = await new Promise<{ bytes: Uint8Array }>((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(e.message));
      worker.postMessage(seg);
    });
    const cols = await decodeSegment(bytes, seg.specs);
    assert.deepEqual(valuesOf(cols[1]!), seg.columns[1]!.data);
    assert.equal(readSegmentFooter(bytes).rows, 1000);
  } finally {
    worker.terminate();
  }
});

Deno.test("the direct writer and parquet-wasm write files that read back the same (OmenDB and DuckDB)", async () => {
  const fastKinds = ["i2", "i4", "i8", "f4", "f8", "t", "vc", "d", "ts", "tstz", "tm"];
  const picked = cases.filter((c) => fastKinds.includes(c.spec.name));
  // longer columns, so dictionaries, repeats and bit-packing across groups are exercised
  const n = 1000;
  const cols = picked.map((c) =>
    columnFromValues(c.spec.type, Array.from({ length: n }, (_, i) => c.values[(i * 7) % 4]!))
  );
  const specs = picked.map((c) => c.spec);
  const fast = await encodeSegment(specs, cols, n);
  const wasm = await encodeSegment(specs, cols, n, { rowGroupRowsMax: n - 1 }); // 2 row groups
  assert.notDeepEqual(fast.length, wasm.length); // two different writers
  const a = await decodeSegment(fast, specs);
  const b = await decodeSegment(wasm, specs);
  for (let k = 0; k < specs.length; k++) {
    for (let i = 0; i < n; i++) {
      const x = valueAt(a[k]!, i), y = valueAt(b[k]!, i);
      assert.ok(Object.is(x, y) || x === y, `${specs[k]!.name}[${i}]: ${x} vs ${y}`);
    }
  }
  const fa = readSegmentFooter(fast), fb = readSegmentFooter(wasm);
  // arrow-rs truncates long string bounds (64 bytes, last byte raised); the direct writer keeps
  // them exact: both bracket every value
  const textIds = new Set([9, 10]);
  const stat = (
    c: (typeof fa.columns)[number],
  ) => [c.id, c.stats.nullCount, String(c.stats.min), textIds.has(c.id) ? "" : String(c.stats.max)];
  assert.deepEqual(fa.columns.map(stat), fb.columns.map(stat));
  for (const c of fa.columns.filter((c) => textIds.has(c.id))) {
    const w = fb.columns.find((x) => x.id === c.id)!;
    assert.ok(String(c.stats.max) <= String(w.stats.max), `${c.name} max`);
  }
  const dir = await Deno.makeTempDir();
  const instance = await DuckDBInstance.create(":memory:");
  const db = await instance.connect();
  try {
    await Deno.writeFile(`${dir}/fast.parquet`, fast);
    await Deno.writeFile(`${dir}/wasm.parquet`, wasm);
    const q = (f: string) =>
      `SELECT * EXCLUDE (f4, f8), f4::VARCHAR, f8::VARCHAR FROM read_parquet('${dir}/${f}')`;
    const ra = (await db.runAndReadAll(q("fast.parquet"))).getRows().map(String);
    const rb = (await db.runAndReadAll(q("wasm.parquet"))).getRows().map(String);
    assert.equal(ra.length, n);
    assert.deepEqual(ra, rb);
    const types = async (f: string) =>
      (await db.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${dir}/${f}')`)).getRows()
        .map((r) => `${r[0]}:${r[1]}`);
    assert.deepEqual(await types("fast.parquet"), await types("wasm.parquet"));
    const ids = await db.runAndReadAll(
      `SELECT name, field_id FROM parquet_schema('${dir}/fast.parquet') WHERE num_children IS NULL`,
    );
    assert.deepEqual(
      ids.getRows().map((r) => [String(r[0]), Number(r[1])]),
      specs.map((s) => [s.name, s.id]),
    );
  } finally {
    db.closeSync();
    instance.closeSync();
    await Deno.remove(dir, { recursive: true });
  }
});
