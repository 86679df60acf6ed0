import assert from "node:assert/strict";
import fc from "fast-check";
import {
  formatPoint,
  rowsOf,
  type TestFieldValue,
  type TestPoint,
  type TestRow,
} from "./_test_util.ts";
import { parseLineProtocol, type ParseResult, type Precision } from "./mod.ts";
import { precisionNanos } from "./parser.ts";

const encoder = new TextEncoder();

const nanosPer = precisionNanos;
const nanosMax = 9223372036854775806n;

/** floor(a / b) for bigints (b > 0). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a < 0n && q * b !== a ? q - 1n : q;
}

/** Whether a string survives UTF-8 (no lone surrogates). */
function utf8Safe(s: string): boolean {
  return new TextDecoder().decode(encoder.encode(s)) === s;
}

/**
 * Text the grammar can carry in a name: no newline, and no backslash at the end or before a
 * character that would be escaped (InfluxDB cannot write those either).
 */
function nameSafe(s: string, specials: string): boolean {
  if (s.includes("\n") || !utf8Safe(s)) return false;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\" && (i + 1 === s.length || specials.includes(s[i + 1]!))) return false;
  }
  return true;
}

const tricky = fc.constantFrom(
  "cpu",
  "a b",
  "a,b",
  "a=b",
  "温度",
  "x\\y",
  '"q"',
  "🚀",
  "#c",
  " lead",
  "t\tab",
  "cr\rx",
  "é",
);
const text = fc.oneof(
  tricky,
  fc.string({ unit: "binary", minLength: 1, maxLength: 6 }),
  fc.string({
    unit: fc.constantFrom("a", " ", ",", "=", "\\", '"', "é", "z"),
    minLength: 1,
    maxLength: 6,
  }),
);
const measurementName = text.filter((s) =>
  nameSafe(s, ", ") && !s.startsWith("#") && !s.startsWith("\t") && !s.startsWith("\r")
);
// A key may not start with a tab: spaces and tabs between sections are skipped (InfluxDB too).
const keyName = text.filter((s) => nameSafe(s, ",= ") && s !== "time" && !s.startsWith("\t"));
const stringValue = fc.string({ unit: "binary", maxLength: 12 }).filter((s) =>
  !s.includes("\n") && utf8Safe(s)
);
const booleanSpellings = ["t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE"];

type FieldType = TestFieldValue["type"];
const fieldTypes: readonly FieldType[] = ["float", "integer", "unsigned", "string", "boolean"];

function fieldValue(type: FieldType): fc.Arbitrary<TestFieldValue> {
  switch (type) {
    case "float":
      return fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: -10_000, max: 10_000 }).map((c) => c / 100),
      ).map((value) => ({ type, value }));
    case "integer":
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({
        type,
        value,
      }));
    case "unsigned":
      return fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map((value) => ({ type, value }));
    case "string":
      return stringValue.map((value) => ({ type, value }));
    case "boolean":
      return fc.constantFrom(...booleanSpellings).map((spelling) => ({
        type,
        value: spelling[0] === "t" || spelling[0] === "T",
        spelling,
      }));
  }
}

/** A body: points with a consistent type per field key, in one precision. */
interface Body {
  readonly precision: Precision;
  readonly defaultTimeMicros: number;
  readonly points: readonly TestPoint[];
  /** Per line: how it ends, and junk lines (blank, comments) before it. */
  readonly crlf: readonly boolean[];
  readonly junk: readonly string[];
  readonly trailingNewline: boolean;
}

const body: fc.Arbitrary<Body> = fc.record({
  precision: fc.constantFrom<Precision>("ns", "us", "ms", "s", "m", "h", "n", "u"),
  defaultTimeMicros: fc.integer({ min: -1e15, max: 1e15 }),
  measurements: fc.uniqueArray(measurementName, { minLength: 1, maxLength: 3 }),
  keys: fc.uniqueArray(keyName, { minLength: 2, maxLength: 8 }),
  typesSeed: fc.array(fc.constantFrom(...fieldTypes), { minLength: 8, maxLength: 8 }),
}).chain(({ precision, defaultTimeMicros, measurements, keys, typesSeed }) => {
  const tagCount = Math.max(1, keys.length >> 1);
  const tagKeys = keys.slice(0, tagCount);
  const fieldKeys = keys.slice(tagCount);
  const range = nanosMax / nanosPer[precision];
  const point: fc.Arbitrary<TestPoint> = fc.record({
    measurement: fc.constantFrom(...measurements),
    tags: fc.subarray(tagKeys).chain((ks) =>
      fc.tuple(...ks.map((k) => keyName.map((v) => [k, v] as const)))
    ),
    fields: fc.subarray(fieldKeys, { minLength: 1 }).chain((ks) =>
      fc.tuple(
        ...ks.map((k) => fieldValue(typesSeed[fieldKeys.indexOf(k)]!).map((v) => [k, v] as const)),
      )
    ).chain((fields) => fc.shuffledSubarray(fields, { minLength: fields.length })),
    timestamp: fc.option(
      fc.oneof(
        fc.bigInt({ min: -range, max: range }),
        fc.bigInt({ min: -1000n, max: 1000n }),
      ),
      { nil: undefined },
    ),
  });
  return fc.record({
    precision: fc.constant(precision),
    defaultTimeMicros: fc.constant(defaultTimeMicros),
    points: fc.array(point, { minLength: 1, maxLength: 12 }),
    crlf: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    junk: fc.array(
      fc.constantFrom("", "", "", "\n", "# comment, with = signs\n", "  \t\n", "  # x\n"),
      {
        minLength: 12,
        maxLength: 12,
      },
    ),
    trailingNewline: fc.boolean(),
  });
});

/** The body's text. */
function render(b: Body): string {
  let out = "";
  b.points.forEach((p, i) => {
    if (i > 0) out += b.crlf[i - 1] ? "\r\n" : "\n";
    out += b.junk[i]! + formatPoint(p);
  });
  if (b.trailingNewline) out += "\n";
  return out;
}

/** What the parser must return for a body: rows per measurement, every column filled. */
function expected(b: Body): Record<string, TestRow[]> {
  const partial = new Map<string, TestRow[]>();
  const columns = new Map<string, Set<string>>();
  for (const p of b.points) {
    const time = p.timestamp === undefined
      ? b.defaultTimeMicros
      : Number(floorDiv(p.timestamp * nanosPer[b.precision], 1000n));
    const row: TestRow = { time };
    for (const [k, v] of p.tags) row[k] = v;
    for (const [k, v] of p.fields) row[k] = v.value;
    if (!partial.has(p.measurement)) {
      partial.set(p.measurement, []);
      columns.set(p.measurement, new Set());
    }
    partial.get(p.measurement)!.push(row);
    for (const k of Object.keys(row)) columns.get(p.measurement)!.add(k);
  }
  const out: Record<string, TestRow[]> = {};
  for (const [m, rows] of partial) {
    out[m] = rows.map((r) => {
      const full: TestRow = {};
      for (const k of columns.get(m)!) full[k] = k in r ? r[k] : null;
      return full;
    });
  }
  return out;
}

function rowsByMeasurement(r: ParseResult): Record<string, TestRow[]> {
  const out: Record<string, TestRow[]> = {};
  for (const [name, m] of r.measurements) out[name] = rowsOf(m);
  return out;
}

Deno.test("property: random valid points, serialized with escapes, parse back exactly", () => {
  fc.assert(
    fc.property(body, (b) => {
      const r = parseLineProtocol(encoder.encode(render(b)), {
        precision: b.precision,
        defaultTimeMicros: b.defaultTimeMicros,
      });
      assert.deepEqual(r.errors, []);
      assert.equal(r.points, b.points.length);
      assert.deepEqual(rowsByMeasurement(r), expected(b));
      // Sub-microsecond rows: nanosecond timestamps that floor.
      if (b.precision === "ns" || b.precision === "n") {
        let sub = 0;
        for (const p of b.points) {
          if (p.timestamp !== undefined && p.timestamp % 1000n !== 0n) sub++;
        }
        let got = 0;
        for (const m of r.measurements.values()) got += m.subMicrosecondRows;
        assert.equal(got, sub);
      }
    }),
    { numRuns: 400 },
  );
});

/** Bytes the mutations use: every byte that means something to the grammar, and some that don't. */
const interestingBytes = [...'\\,=" \n\r\t#-+.eEiutfTF019az'].map((c) => c.charCodeAt(0))
  .concat([0x00, 0x80, 0xc3, 0xff]);

type Mutation = { kind: "replace" | "insert" | "delete"; at: number; byte: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("replace" as const, "insert" as const, "delete" as const),
  at: fc.nat(),
  byte: fc.oneof(fc.constantFrom(...interestingBytes), fc.integer({ min: 0, max: 255 })),
});

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  const out = [...bytes];
  for (const m of mutations) {
    if (out.length === 0 && m.kind !== "insert") continue;
    const at = m.at % (out.length + (m.kind === "insert" ? 1 : 0));
    if (m.kind === "replace") out[at] = m.byte;
    else if (m.kind === "insert") out.splice(at, 0, m.byte);
    else out.splice(at, 1);
  }
  return Uint8Array.from(out);
}

/**
 * The oracle: each line parsed alone, then the body's type rules applied in order (the first
 * type of a column in the body wins; tags and fields share names). What the whole body returns
 * must be exactly this: the same accepted rows, the same rejected line numbers.
 */
function checkAgainstLines(bytes: Uint8Array, precision: Precision): void {
  const options = { precision, defaultTimeMicros: 7 };
  const whole = parseLineProtocol(bytes, options);
  const kinds = new Map<string, Map<string, string>>();
  const rows = new Map<string, TestRow[]>();
  const columns = new Map<string, Set<string>>();
  const rejected: number[] = [];
  let lineNo = 0;
  let start = 0;
  while (start < bytes.length) {
    let nl = bytes.indexOf(0x0a, start);
    if (nl < 0) nl = bytes.length;
    lineNo++;
    const alone = parseLineProtocol(bytes.subarray(start, nl), options);
    start = nl + 1;
    if (alone.rejected === 1) {
      rejected.push(lineNo);
      continue;
    }
    if (alone.points === 0) continue; // blank or comment
    assert.equal(alone.points, 1);
    const [m] = alone.measurements.values();
    const known = kinds.get(m!.name) ?? new Map<string, string>();
    const mine: [string, string][] = [...m!.tags.keys()].map((k) => [k, "tag"]);
    for (const [k, f] of m!.fields) mine.push([k, f.type]);
    if (mine.some(([k, kind]) => known.has(k) && known.get(k) !== kind)) {
      rejected.push(lineNo);
      continue;
    }
    for (const [k, kind] of mine) known.set(k, kind);
    kinds.set(m!.name, known);
    const row = rowsOf(m!)[0]!;
    if (!rows.has(m!.name)) {
      rows.set(m!.name, []);
      columns.set(m!.name, new Set());
    }
    rows.get(m!.name)!.push(row);
    for (const k of Object.keys(row)) columns.get(m!.name)!.add(k);
  }
  const want: Record<string, TestRow[]> = {};
  for (const [name, list] of rows) {
    want[name] = list.map((r) => {
      const full: TestRow = {};
      for (const k of columns.get(name)!) full[k] = k in r ? r[k] : null;
      return full;
    });
  }
  assert.deepEqual(whole.errors.map((e) => e.line), rejected);
  assert.equal(whole.rejected, rejected.length);
  assert.equal(whole.lines, lineNo);
  assert.deepEqual(rowsByMeasurement(whole), want);
  for (const m of whole.measurements.values()) {
    assert.ok(m.rows > 0);
    for (const c of m.tags.values()) assert.equal(c.length, m.rows);
    for (const f of m.fields.values()) assert.equal(f.column.length, m.rows);
  }
}

Deno.test("property: mutated bodies never throw, and keep exactly the lines that parse alone", () => {
  fc.assert(
    fc.property(body, fc.array(mutation, { minLength: 1, maxLength: 8 }), (b, mutations) => {
      checkAgainstLines(mutate(encoder.encode(render(b)), mutations), b.precision);
    }),
    { numRuns: 600 },
  );
});

Deno.test("property: random bytes from the grammar's alphabet never throw", () => {
  const alphabet = [...interestingBytes, ..."cpuhosmv"].map((c) =>
    typeof c === "number" ? c : c.charCodeAt(0)
  );
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...alphabet), { maxLength: 120 }),
      fc.constantFrom<Precision>("ns", "s"),
      (bytes, precision) => checkAgainstLines(Uint8Array.from(bytes), precision),
    ),
    { numRuns: 600 },
  );
});
