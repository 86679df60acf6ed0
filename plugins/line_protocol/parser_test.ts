import assert from "node:assert/strict";
import { DbError } from "../../core/errors.ts";
import { dictCodesOf, isValid, valueAt } from "../../core/types/column.ts";
import type { TypeKind } from "../../core/types/data_type.ts";
import { generateCpuBatches, generateCpuLineProtocol } from "../../tests/data/tsbs.ts";
import { allRows, parseText, rowsOf } from "./_test_util.ts";
import {
  lpErrorLineBytesMax,
  lpPreallocatedBytesMax,
  lpSeriesCacheEntriesMax,
  parseLineProtocol,
  parsePrecision,
  type ParseResult,
} from "./mod.ts";

/** The reasons of a result's errors, by line. */
function reasons(r: ParseResult): [number, string][] {
  return r.errors.map((e) => [e.line, e.reason]);
}

/** Parses one line that must fail; returns its reason. */
function failure(line: string): string {
  const r = parseText(line);
  assert.equal(r.points, 0, `accepted: ${line}`);
  assert.equal(r.errors.length, 1, `no error for: ${line}`);
  return r.errors[0]!.reason;
}

/** Parses one line that must succeed; returns its only row. */
function row(line: string, options: Parameters<typeof parseText>[1] = {}): Record<string, unknown> {
  const r = parseText(line, options);
  assert.deepEqual(reasons(r), [], line);
  assert.equal(r.points, 1, line);
  const [m] = r.measurements.values();
  return rowsOf(m!)[0]!;
}

/** The one measurement's name of a one-line body. */
function measurementOf(line: string): string {
  const r = parseText(line);
  assert.deepEqual(reasons(r), [], line);
  return [...r.measurements.keys()][0]!;
}

Deno.test("a point: measurement, tags, fields, timestamp; columns by measurement", () => {
  const r = parseText(
    'cpu,host=a,region=eu usage=0.5,cores=4i,name="x",up=t 1700000000000000000\n' +
      "mem,host=a used=10i 1700000000000000000\n" +
      "cpu,host=b usage=1.5 1700000001000000000\n",
  );
  assert.deepEqual(reasons(r), []);
  assert.equal(r.lines, 3);
  assert.equal(r.points, 3);
  assert.deepEqual([...r.measurements.keys()], ["cpu", "mem"]);
  const cpu = r.measurements.get("cpu")!;
  assert.equal(cpu.rows, 2);
  assert.deepEqual([...cpu.tags.keys()], ["host", "region"]);
  assert.deepEqual([...cpu.fields.keys()], ["usage", "cores", "name", "up"]);
  assert.deepEqual([...cpu.fields.values()].map((f) => f.type), [
    "float",
    "integer",
    "string",
    "boolean",
  ]);
  assert.deepEqual([...cpu.fields.values()].map((f) => f.column.kind), [
    "float8",
    "int8",
    "text",
    "bool",
  ]);
  assert.deepEqual(rowsOf(cpu), [
    { time: 1700000000000000, host: "a", region: "eu", usage: 0.5, cores: 4n, name: "x", up: true },
    {
      time: 1700000001000000,
      host: "b",
      region: null,
      usage: 1.5,
      cores: null,
      name: null,
      up: null,
    },
  ]);
  assert.ok(cpu.time instanceof Float64Array && cpu.time.length === 2);
  assert.ok(cpu.fields.get("cores")!.column.data instanceof BigInt64Array);
  assert.deepEqual(rowsOf(r.measurements.get("mem")!), [
    { time: 1700000000000000, host: "a", used: 10n },
  ]);
});

Deno.test("columns: validity is null without NULLs, a bitmap with them", () => {
  const r = parseText("m a=1,b=2\nm a=3\nm a=4,b=5\n");
  const m = r.measurements.get("m")!;
  assert.equal(m.fields.get("a")!.column.validity, null);
  const b = m.fields.get("b")!.column;
  assert.ok(b.validity !== null);
  assert.deepEqual([0, 1, 2].map((i) => isValid(b.validity, i)), [true, false, true]);
  assert.equal(b.length, 3);
  assert.equal((b.data as Float64Array).length, 3);
});

Deno.test("lines: blank, whitespace-only, comments (also indented), CRLF, trailing newline", () => {
  const text = "# header\r\n\r\n  \n\t# indented comment\nm a=1\r\n   m a=2 5\r\n\nm a=3";
  const r = parseText(text);
  assert.deepEqual(reasons(r), []);
  assert.equal(r.lines, 8);
  assert.deepEqual(rowsOf(r.measurements.get("m")!), [
    { time: 0, a: 1 },
    { time: 0, a: 2 }, // 5 ns floors to 0 µs
    { time: 0, a: 3 },
  ]);
  assert.equal(parseText("m a=1\n").lines, 1);
  assert.equal(parseText("m a=1").lines, 1);
  assert.equal(parseText("").lines, 0);
  assert.equal(parseText("\n").lines, 1);
  assert.equal(parseText("m a=1\n\n").lines, 2);
  // A \r that is not before \n (or the end) is data.
  assert.equal(failure("m a=1\r2"), "unable to parse 'm a=1\r2': invalid number");
  assert.deepEqual(row("m a=1\r"), { time: 0, a: 1 });
});

Deno.test("CRLF after every kind of value, after a timestamp and after trailing spaces", () => {
  const r = parseText(
    'm a=1\r\nm b=1i\r\nm c="s"\r\nm d=t\r\nm e=1u\r\nm a=2 1000\r\nm a=3 \r\nm a=4 2000 \r\n',
  );
  assert.deepEqual(reasons(r), []);
  assert.equal(r.points, 8);
  const rows = rowsOf(r.measurements.get("m")!);
  assert.deepEqual(rows.map((x) => x.time), [0, 0, 0, 0, 0, 1, 0, 2]);
  assert.deepEqual(rows.map((x) => x.d), [null, null, null, true, null, null, null, null]);
});

Deno.test("whitespace: several spaces between sections, trailing spaces, leading tabs", () => {
  assert.deepEqual(row("m  a=1   1000  "), { time: 1, a: 1 });
  assert.deepEqual(row("\t m a=1"), { time: 0, a: 1 });
  // After the separating space, more spaces and tabs are skipped (InfluxDB's skipWhitespace).
  assert.deepEqual(row("m \ta=1 \t1000"), { time: 1, a: 1 });
  assert.equal(failure("m a=1\t1000"), "unable to parse 'm a=1\t1000': invalid number");
  assert.equal(failure("m a=1 1000\t"), "unable to parse 'm a=1 1000\t': bad timestamp");
});

Deno.test("missing timestamp: the default time; precision of the default is microseconds", () => {
  assert.deepEqual(row("m a=1", { defaultTimeMicros: 1_234_567 }), { time: 1_234_567, a: 1 });
  assert.deepEqual(row("m a=1", { defaultTimeMicros: 1.9 }), { time: 1, a: 1 });
});

Deno.test("escapes in measurement names: comma and space; others kept literally", () => {
  assert.equal(measurementOf("wea\\,ther a=1"), "wea,ther");
  assert.equal(measurementOf("wea\\ ther a=1"), "wea ther");
  assert.equal(measurementOf("wea\\=ther a=1"), "wea\\=ther");
  assert.equal(measurementOf("wea=ther a=1"), "wea=ther");
  assert.equal(measurementOf("wea\\ther a=1"), "wea\\ther");
  assert.equal(measurementOf("wea\\\\ther a=1"), "wea\\\\ther");
  assert.equal(measurementOf('"quoted" a=1'), '"quoted"');
  // A backslash pair is one unit: `\\` then a space ends the name.
  assert.equal(measurementOf("m\\\\ a=1"), "m\\\\");
});

Deno.test("escapes in tag keys, tag values and field keys: comma, = and space", () => {
  assert.deepEqual(row("m,k\\,1\\=2\\ 3=v\\,1\\=2\\ 3 f\\,1\\=2\\ 3=1"), {
    time: 0,
    "k,1=2 3": "v,1=2 3",
    "f,1=2 3": 1,
  });
  assert.deepEqual(row("m,k=a\\b f\\x=1"), { time: 0, k: "a\\b", "f\\x": 1 });
  assert.deepEqual(row("m,k=a\\\\b f=1"), { time: 0, k: "a\\\\b", f: 1 });
  assert.deepEqual(row('m,k="v" "f"=1'), { time: 0, k: '"v"', '"f"': 1 });
});

Deno.test('string fields: \\" and \\\\ unescaped, other backslashes literal, separators inside', () => {
  assert.deepEqual(row('m s="too\\"hot\\""'), { time: 0, s: 'too"hot"' });
  assert.deepEqual(row('m s="a\\\\b"'), { time: 0, s: "a\\b" });
  assert.deepEqual(row('m s="a\\nb\\tc\\d"'), { time: 0, s: "a\\nb\\tc\\d" });
  assert.deepEqual(row('m s="a, b=c d",t=1'), { time: 0, s: "a, b=c d", t: 1 });
  assert.deepEqual(row('m s=""'), { time: 0, s: "" });
  assert.deepEqual(row('m s="\\\\"'), { time: 0, s: "\\" });
  assert.deepEqual(row('m s="ends with \\\\\\\\"'), { time: 0, s: "ends with \\\\" });
  assert.deepEqual(row('m s="t"'), { time: 0, s: "t" });
  assert.deepEqual(row('m s="1i"'), { time: 0, s: "1i" });
});

Deno.test("InfluxDB's documented examples parse as documented", () => {
  // v1 line protocol reference and tutorial.
  assert.deepEqual(row("weather,location=us-midwest temperature=82 1465839830100400200"), {
    time: 1465839830100400,
    location: "us-midwest",
    temperature: 82,
  });
  assert.deepEqual(row("weather,location=us\\,midwest temperature=82"), {
    time: 0,
    location: "us,midwest",
    temperature: 82,
  });
  assert.deepEqual(row("weather,location\\ place=us-midwest temperature=82"), {
    time: 0,
    "location place": "us-midwest",
    temperature: 82,
  });
  assert.deepEqual(row("weather,location=us-midwest temp\\=rature=82"), {
    time: 0,
    location: "us-midwest",
    "temp=rature": 82,
  });
  assert.deepEqual(row('weather,location=us-midwest temperature_str="too hot/cold"'), {
    time: 0,
    location: "us-midwest",
    temperature_str: "too hot/cold",
  });
  assert.deepEqual(row("weather,location=us-midwest temperature=82i"), {
    time: 0,
    location: "us-midwest",
    temperature: 82n,
  });
  const r = parseText(
    '"measurement\\ with\\ quo⚡es\\ and\\ emoji",tag\\ key\\ with\\ sp🚀ces=tag\\,value\\,with"commas" field_k\\ey="string field value, only \\" need be esc🍭ped"',
  );
  assert.deepEqual(reasons(r), []);
  assert.deepEqual(allRows(r), {
    '"measurement with quo⚡es and emoji"': [{
      time: 0,
      "tag key with sp🚀ces": 'tag,value,with"commas"',
      "field_k\\ey": 'string field value, only " need be esc🍭ped',
    }],
  });
  // v2 reference: escaped = in a tag value, literal and escaped backslashes in a string.
  assert.deepEqual(row('airSensor,sensor_id=TLM\\=0201 desc="\\=My data==\\\\"'), {
    time: 0,
    sensor_id: "TLM=0201",
    desc: "\\=My data==\\",
  });
});

Deno.test("unicode names and values", () => {
  assert.deepEqual(allRows(parseText('温度,地点=東京 値=1,説明="暑い 🌡"')), {
    "温度": [{ time: 0, "地点": "東京", "値": 1, "説明": "暑い 🌡" }],
  });
  const bad = parseLineProtocol(Uint8Array.of(0x6d, 0xff, 0x20, 0x61, 0x3d, 0x31), {
    defaultTimeMicros: 0,
  });
  assert.equal(bad.errors[0]!.reason, "unable to parse 'm\ufffd a=1': invalid UTF-8");
  const badString = parseLineProtocol(
    new Uint8Array([...new TextEncoder().encode('m s="'), 0xc3, 0x28, 0x22]),
    { defaultTimeMicros: 0 },
  );
  assert.match(badString.errors[0]!.reason, /invalid UTF-8$/);
});

Deno.test("floats: every spelling InfluxDB takes, exact to the last bit", () => {
  const cases: [string, number][] = [
    ["1", 1],
    ["-1.5", -1.5],
    ["1e10", 1e10],
    ["1E10", 1e10],
    ["1e+10", 1e10],
    ["1.5e-3", 1.5e-3],
    ["1.", 1],
    [".5", 0.5],
    ["-.5", -0.5],
    ["0", 0],
    ["007", 7],
    ["58.13", 58.13],
    ["0.1", 0.1],
    ["1.7976931348623157e308", 1.7976931348623157e308],
    ["5e-324", 5e-324],
    ["1e-400", 0],
    ["123456789012345678901234567890", 123456789012345678901234567890],
    ["0.1000000000000000055511151231257827", 0.1],
    ["9007199254740993", 9007199254740992],
    ["2.2250738585072011e-308", 2.2250738585072011e-308],
    ["1e22", 1e22],
    ["1e23", 1e23],
    ["123456789e-20", 123456789e-20],
  ];
  for (const [text, value] of cases) {
    assert.ok(Object.is(row(`m f=${text}`).f, value), `${text} -> ${row(`m f=${text}`).f}`);
  }
  assert.ok(Object.is(row("m f=-0").f, -0));
  assert.ok(Object.is(row("m f=-0.0e5").f, -0));
});

Deno.test("floats: what InfluxDB rejects", () => {
  for (const text of ["1.2.3", "-", ".", "-.", "1e", "1e+", "1.5.e3", "--1", "1-", "0x10", "1_0"]) {
    assert.equal(failure(`m f=${text}`), `unable to parse 'm f=${text}': invalid number`, text);
  }
  assert.equal(failure("m f=1e400"), "unable to parse 'm f=1e400': invalid float");
  assert.equal(failure("m f=-1e400"), "unable to parse 'm f=-1e400': invalid float");
  assert.equal(failure("m f=NaN"), "unable to parse 'm f=NaN': invalid number");
  assert.equal(failure("m f=nan"), "unable to parse 'm f=nan': invalid number");
  assert.equal(failure("m f=Inf"), "unable to parse 'm f=Inf': invalid boolean");
  assert.equal(failure("m f=+1"), "unable to parse 'm f=+1': invalid boolean");
});

Deno.test("integers (i): int64 range exactly", () => {
  assert.equal(row("m i=1i").i, 1n);
  assert.equal(row("m i=-1i").i, -1n);
  assert.equal(row("m i=0i").i, 0n);
  assert.equal(row("m i=-0i").i, 0n);
  assert.equal(row("m i=007i").i, 7n);
  assert.equal(row("m i=9007199254740991i").i, 9007199254740991n);
  assert.equal(row("m i=9007199254740993i").i, 9007199254740993n);
  assert.equal(row("m i=-4294967297i").i, -4294967297n);
  assert.equal(row("m i=4294967296i").i, 4294967296n);
  assert.equal(row("m i=9223372036854775807i").i, 9223372036854775807n);
  assert.equal(row("m i=-9223372036854775808i").i, -9223372036854775808n);
  assert.equal(
    failure("m i=9223372036854775808i"),
    "unable to parse 'm i=9223372036854775808i': unable to parse integer 9223372036854775808: value out of range",
  );
  assert.match(
    failure("m i=-9223372036854775809i"),
    /unable to parse integer -9223372036854775809/,
  );
  assert.equal(failure("m i=i"), "unable to parse 'm i=i': invalid boolean");
  for (const text of ["1.0i", "1e3i", "-i", "1ii", "1i1", "1iu", ".1i"]) {
    assert.equal(failure(`m i=${text}`), `unable to parse 'm i=${text}': invalid number`, text);
  }
});

Deno.test("unsigned (u): stored as BIGINT up to 2^63 - 1, beyond rejected", () => {
  const r = parseText("m u=0u\nm u=9223372036854775807u");
  const f = r.measurements.get("m")!.fields.get("u")!;
  assert.equal(f.type, "unsigned");
  assert.equal(f.column.kind, "int8");
  assert.deepEqual(rowsOf(r.measurements.get("m")!).map((x) => x.u), [0n, 9223372036854775807n]);
  assert.equal(
    failure("m u=9223372036854775808u"),
    "unable to parse 'm u=9223372036854775808u': unsigned value 9223372036854775808u is out of range for BIGINT (at most 9223372036854775807)",
  );
  assert.match(
    failure("m u=18446744073709551616u"),
    /unable to parse unsigned 18446744073709551616: value out of range$/,
  );
  assert.equal(failure("m u=-1u"), "unable to parse 'm u=-1u': invalid number");
  assert.equal(failure("m u=1.5u"), "unable to parse 'm u=1.5u': invalid number");
});

Deno.test("booleans: the ten spellings; anything else is an invalid boolean", () => {
  const spellings: [string, boolean][] = [
    ["t", true],
    ["T", true],
    ["true", true],
    ["True", true],
    ["TRUE", true],
    ["f", false],
    ["F", false],
    ["false", false],
    ["False", false],
    ["FALSE", false],
  ];
  for (const [text, value] of spellings) {
    assert.equal(row(`m b=${text}`).b, value, text);
    assert.equal(row(`m b=${text},x=1`).b, value, text);
    assert.equal(row(`m b=${text} 1000`).b, value, text);
  }
  for (const text of ["tRUE", "tru", "truee", "yes", "FaLse", "1b", "on", "x"]) {
    const expected = /^[0-9]/.test(text) ? "invalid number" : "invalid boolean";
    assert.equal(failure(`m b=${text}`), `unable to parse 'm b=${text}': ${expected}`, text);
  }
});

Deno.test("precisions: every unit to microseconds; nanoseconds floor", () => {
  const cases: [string, string, number][] = [
    ["ns", "1500", 1],
    ["n", "1500", 1],
    ["us", "1500", 1500],
    ["u", "1500", 1500],
    ["ms", "1500", 1_500_000],
    ["s", "1500", 1_500_000_000],
    ["m", "2", 120_000_000],
    ["h", "2", 7_200_000_000],
    ["ns", "-1", -1],
    ["ns", "-1000", -1],
    ["ns", "-1001", -2],
    ["ns", "-0", 0],
    ["ns", "999", 0],
    ["s", "-2", -2_000_000],
    ["ns", "1465839830100400200", 1465839830100400],
    ["ns", "-1465839830100400200", -1465839830100401],
  ];
  for (const [precision, ts, micros] of cases) {
    const t = row(`m a=1 ${ts}`, { precision: parsePrecision(precision)! }).time as number;
    assert.ok(Object.is(t, micros), `${ts} ${precision} -> ${t}, expected ${micros}`);
  }
});

Deno.test("timestamps: InfluxDB's range, exactly; sub-microsecond rows counted", () => {
  // Beyond 2^53 µs the exact floor is rounded to the nearest double.
  assert.equal(row("m a=1 9223372036854775806").time, Number(9223372036854775n));
  assert.equal(row("m a=1 -9223372036854775806").time, Number(-9223372036854776n));
  assert.equal(row("m a=1 9007199254740993000").time, 9007199254740992);
  assert.equal(row("m a=1 0009").time, 0);
  const range = "time outside range -9223372036854775806 - 9223372036854775806";
  assert.equal(
    failure("m a=1 9223372036854775807"),
    `unable to parse 'm a=1 9223372036854775807': ${range}`,
  );
  assert.match(failure("m a=1 -9223372036854775807"), /time outside range/);
  assert.match(failure("m a=1 99999999999999999999999"), /time outside range/);
  assert.equal(row("m a=1 9223372036", { precision: "s" }).time, 9223372036000000);
  assert.match(
    parseText("m a=1 9223372037", { precision: "s" }).errors[0]!.reason,
    /time outside range/,
  );
  assert.match(
    parseText("m a=1 2562048", { precision: "h" }).errors[0]!.reason,
    /time outside range/,
  );
  assert.equal(row("m a=1 2562047", { precision: "h" }).time, Number(2562047n * 3_600_000_000n));
  assert.equal(row("m a=1 -2562047", { precision: "h" }).time, Number(-2562047n * 3_600_000_000n));
  const r = parseText("m a=1 1000\nm a=1 1001\nm a=1 -1\nm a=1\n");
  assert.equal(r.measurements.get("m")!.subMicrosecondRows, 2);
  // 1000 and 1001 ns floor to the same microsecond of the same series: one merged point
  assert.equal(r.measurements.get("m")!.mergedPoints, 1);
  assert.equal(
    parseText("m a=1 1001", { precision: "us" }).measurements.get("m")!.subMicrosecondRows,
    0,
  );
});

Deno.test("errors: InfluxDB's reasons, one per rejected line, with 1-based line numbers", () => {
  const lines: [string, string][] = [
    [",t=1 a=1", "missing measurement"],
    ["cpu", "missing fields"],
    ["cpu ", "missing fields"],
    ["cpu,t=1", "missing fields"],
    ["cpu,t=1 ", "missing fields"],
    ["cpu,=1 a=1", "missing tag key"],
    ["cpu, a=1", "missing tag key"],
    ["cpu,", "missing tag key"],
    ["cpu,t a=1", "missing tag value"],
    ["cpu,t", "missing tag value"],
    ["cpu,t= a=1", "missing tag value"],
    ["cpu,t=,u=1 a=1", "missing tag value"],
    ["cpu,t=a=b a=1", "invalid tag format"],
    ["cpu,t=1,t=2 a=1", "duplicate tags"],
    ["cpu =1", "missing field key"],
    ["cpu a=1,=2", "missing field key"],
    ["cpu a=", "missing field value"],
    ["cpu a= 1", "missing field value"],
    ["cpu a=,b=1", "missing field value"],
    ["cpu a", "invalid field format"],
    ["cpu a=1,", "invalid field format"],
    ["cpu a=1,b", "invalid field format"],
    ["cpu a=1,b c=1", "invalid field format"],
    ['cpu a="x"y', "invalid field format"],
    ['cpu a="x', "unbalanced quotes"],
    ['cpu a="x\\"', "unbalanced quotes"],
    ["cpu a=1 12a", "bad timestamp"],
    ["cpu a=1 -", "bad timestamp"],
    ["cpu a=1 1.5", "bad timestamp"],
    ["cpu a=1 1 2", "point is invalid"],
    ["cpu a=1 b=2", "bad timestamp"],
  ];
  const body = lines.map(([l]) => l).join("\n") + "\nok a=1\n";
  const r = parseText(body);
  assert.deepEqual(
    reasons(r),
    lines.map(([l, why], i) => [i + 1, `unable to parse '${l}': ${why}`]),
  );
  assert.equal(r.rejected, lines.length);
  assert.equal(r.points, 1);
  assert.deepEqual([...r.measurements.keys()], ["ok"]);
  assert.equal(r.lines, lines.length + 1);
});

Deno.test("errors: 'time' as a field or a tag key is invalid (InfluxDB's wording)", () => {
  assert.equal(
    failure("m time=1"),
    'unable to parse \'m time=1\': invalid field name: input field "time" on measurement "m" is invalid',
  );
  assert.equal(
    failure("m,time=1 a=1"),
    'unable to parse \'m,time=1 a=1\': invalid tag key: input tag "time" on measurement "m" is invalid',
  );
});

Deno.test("type conflicts: the first type in the body wins; later lines are rejected", () => {
  const r = parseText('m x=1\nm x=1i\nm x=2\nm x="s"\nm x=t\nm x=1u\nn x=1i\n');
  assert.deepEqual(reasons(r), [
    [
      2,
      'field type conflict: input field "x" on measurement "m" is type integer, already exists as type float',
    ],
    [
      4,
      'field type conflict: input field "x" on measurement "m" is type string, already exists as type float',
    ],
    [
      5,
      'field type conflict: input field "x" on measurement "m" is type boolean, already exists as type float',
    ],
    [
      6,
      'field type conflict: input field "x" on measurement "m" is type unsigned, already exists as type float',
    ],
  ]);
  assert.deepEqual(allRows(r), {
    m: [{ time: 0, x: 1 }, { time: 0, x: 2 }],
    n: [{ time: 0, x: 1n }],
  });
});

Deno.test("type conflicts: tags and fields share one namespace per measurement", () => {
  const r = parseText("m,k=a f=1\nm k=1\nm,f=b g=1\nm,k=c k=1\nm,z=1 z=1\nm g=1,g=t\n");
  assert.deepEqual(reasons(r), [
    [
      2,
      'field type conflict: input field "k" on measurement "m" is type float, already exists as type tag',
    ],
    [
      3,
      'field type conflict: input tag "f" on measurement "m" is type tag, already exists as type float',
    ],
    [
      4,
      'field type conflict: input field "k" on measurement "m" is type float, already exists as type tag',
    ],
    [
      5,
      'field type conflict: input field "z" on measurement "m" is type float, already exists as type tag',
    ],
    [
      6,
      'field type conflict: input field "g" on measurement "m" is type boolean, already exists as type float',
    ],
  ]);
  assert.deepEqual(allRows(r), { m: [{ time: 0, k: "a", f: 1 }] });
});

Deno.test("type conflicts: against the table's existing columns (tableColumns)", () => {
  const calls: string[] = [];
  const tables = new Map<string, ReadonlyMap<string, TypeKind>>([
    [
      "m",
      new Map<string, TypeKind>([
        ["f", "float8"],
        ["i", "int8"],
        ["u", "int8"],
        ["s", "text"],
        ["b", "bool"],
        ["n", "numeric"],
        ["host", "varchar"],
      ]),
    ],
  ]);
  const r = parseText(
    'm,host=a f=1,i=1i,s="x",b=t\nm u=1u\nm f=1i\nm s=1\nm,u=x a=1\nm n=1\nm,b=x a=1\nother f=1i\nm,host=b f=2\n',
    {
      tableColumns: (name) => {
        calls.push(name);
        return tables.get(name);
      },
    },
  );
  assert.deepEqual(calls, ["m", "other"]);
  assert.deepEqual(reasons(r), [
    [
      3,
      'field type conflict: input field "f" on measurement "m" is type integer, already exists as type float',
    ],
    [
      4,
      'field type conflict: input field "s" on measurement "m" is type float, already exists as type string',
    ],
    [
      5,
      'field type conflict: input tag "u" on measurement "m" is type tag, already exists as type unsigned',
    ],
    [
      6,
      'field type conflict: input field "n" on measurement "m" is type float, already exists as type numeric',
    ],
    [
      7,
      'field type conflict: input tag "b" on measurement "m" is type tag, already exists as type boolean',
    ],
  ]);
  assert.equal(r.measurements.get("m")!.rows, 3);
  assert.equal(r.measurements.get("other")!.rows, 1);
});

Deno.test("duplicate field keys in one line: the last value wins; a different type conflicts", () => {
  assert.deepEqual(row("m a=1,b=2,a=3"), { time: 0, a: 3, b: 2 });
  assert.deepEqual(row('m s="x",s="y"'), { time: 0, s: "y" });
  assert.equal(
    failure("m a=1,a=2i"),
    'field type conflict: input field "a" on measurement "m" is type integer, already exists as type float',
  );
  // Also once the field is known (the prediction path).
  const r = parseText("m a=1,b=1\nm a=1,a=5\nm a=1,b=2,b=3i\nm b=1,a=2\n");
  assert.deepEqual(r.errors.map((e) => e.line), [3]);
  assert.deepEqual(rowsOf(r.measurements.get("m")!), [
    { time: 0, a: 1, b: 1 },
    { time: 0, a: 5, b: null },
    { time: 0, a: 2, b: 1 },
  ]);
});

Deno.test("a rejected line leaves nothing: no column, no measurement, no value, no type", () => {
  const r = parseText(
    'm a=1\nm a=2,new=1i,bad=x\nnewm,t=1 a=1 zz\nm,tag=v a=3,new="later a string"\nm a=4\n',
  );
  assert.deepEqual(r.errors.map((e) => e.line), [2, 3]);
  assert.deepEqual([...r.measurements.keys()], ["m"]);
  const m = r.measurements.get("m")!;
  assert.deepEqual([...m.fields.keys()], ["a", "new"]);
  assert.equal(m.fields.get("new")!.type, "string");
  assert.deepEqual(rowsOf(m), [
    { time: 0, a: 1, tag: null, new: null },
    { time: 0, a: 3, tag: "v", new: "later a string" },
    { time: 0, a: 4, tag: null, new: null },
  ]);
});

Deno.test("limits: line bytes, key bytes, columns per measurement, errors, lines", () => {
  const long = parseText(`m a=1\nm s="${"x".repeat(400)}"\nm a=2`, { lineBytesMax: 100 });
  assert.deepEqual(long.errors.map((e) => e.line), [2]);
  assert.match(long.errors[0]!.reason, /: line too long: 406 bytes > 100$/);
  assert.equal(long.errors[0]!.reason.length < lpErrorLineBytesMax + 100, true);
  assert.match(long.errors[0]!.reason, /xxx\.\.\.': /);
  assert.equal(long.points, 2);
  // The exact path and the fast path agree on the limit (a long line in the middle of a body).
  assert.equal(parseText(`m s="${"x".repeat(94)}"\n`, { lineBytesMax: 100 }).points, 1);
  assert.equal(parseText(`m s="${"x".repeat(94)}"\r\n`, { lineBytesMax: 100 }).points, 1);
  assert.equal(parseText(`m s="${"x".repeat(95)}"\n`, { lineBytesMax: 100 }).points, 0);
  assert.equal(parseText(`#${"x".repeat(200)}\n\n`, { lineBytesMax: 100 }).points, 0);
  assert.equal(parseText(`#${"x".repeat(200)}\n\n`, { lineBytesMax: 100 }).rejected, 0);

  assert.equal(
    failure(`m,t=${"v".repeat(65_535)} a=1`).endsWith("max key length exceeded: 65539 > 65535"),
    true,
  );
  assert.equal(parseText("mm,t=vvv a=1", { keyBytesMax: 8 }).points, 1);
  assert.equal(parseText("mm,t=vvvv a=1", { keyBytesMax: 8 }).points, 0);

  const cols = parseText("m a=1,b=1\nm c=1\nm,t=1 a=1\nm a=2", { columnsPerMeasurementMax: 2 });
  assert.deepEqual(reasons(cols).map(([l, why]) => [l, why.replace(/^.*: /, "")]), [
    [2, 'measurement "m" would have 3 > 2'],
    [3, 'measurement "m" would have 3 > 2'],
  ]);
  assert.equal(cols.points, 2);

  const ms = parseText("a x=1\nb x=1\nbad\nc x=1\na x=2\nd x=y\nb x=3\n", { measurementsMax: 2 });
  assert.deepEqual(reasons(ms).map(([l, why]) => [l, why.replace(/^.*: /, "")]), [
    [3, "missing fields"],
    [4, "more than 2 in one body"],
    [6, "more than 2 in one body"],
  ]);
  assert.deepEqual(allRows(ms), {
    a: [{ time: 0, x: 1 }, { time: 0, x: 2 }],
    b: [{ time: 0, x: 1 }, { time: 0, x: 3 }],
  });

  const many = parseText("x\n".repeat(10), { errorsMax: 3 });
  assert.equal(many.errors.length, 3);
  assert.equal(many.rejected, 10);
  assert.equal(parseText("x\n".repeat(10), { errorsMax: 0 }).errors.length, 0);

  assert.equal(parseText("m a=1\n".repeat(5), { linesMax: 5 }).points, 5);
  assert.throws(
    () => parseText("m a=1\n".repeat(6), { linesMax: 5 }),
    (e) => e instanceof DbError && e.code === "54000" && /more than 5 lines/.test(e.message),
  );
  const fields = Array.from({ length: 1025 }, (_, i) => `f${i}=1`).join(",");
  assert.match(failure(`m ${fields}`), /too many fields: more than 1024 in one line$/);
  const tags = Array.from({ length: 1025 }, (_, i) => `t${i}=1`).join(",");
  assert.match(failure(`m,${tags} a=1`), /too many tags: more than 1024 in one line$/);
});

Deno.test("memory: guessed rows are bounded by lpPreallocatedBytesMax, the rest follows the data", () => {
  // A short first line makes the guess of the body's lines far too high (65,536 rows).
  const wide = Array.from({ length: 300 }, (_, i) => `f${i}=1`).join(",");
  const text = "m a=1\n" + `m ${wide}\n`.repeat(200) + "x".repeat(400_000);
  const r = parseText(text);
  const m = r.measurements.get("m")!;
  assert.equal(m.rows, 201);
  let bytes = m.time.buffer.byteLength;
  for (const f of m.fields.values()) bytes += (f.column.data as Float64Array).buffer.byteLength;
  assert.ok(bytes <= lpPreallocatedBytesMax + 301 * 512 * 8, `${bytes} bytes`);
  assert.ok(bytes > 8 * 65_536, "the first measurement's time array takes the guess");
});

Deno.test("options: bad values throw DbError 22023", () => {
  const body = new TextEncoder().encode("m a=1");
  for (
    const options of [
      { defaultTimeMicros: NaN },
      { defaultTimeMicros: Infinity },
      { defaultTimeMicros: 0, linesMax: 0 },
      { defaultTimeMicros: 0, lineBytesMax: 1.5 },
      { defaultTimeMicros: 0, precision: "days" as "ns" },
      { defaultTimeMicros: 0, precision: "toString" as "ns" },
      { defaultTimeMicros: 0, errorsMax: -1 },
    ]
  ) {
    assert.throws(
      () => parseLineProtocol(body, options),
      (e) => e instanceof DbError && e.code === "22023",
      JSON.stringify(options),
    );
  }
  assert.equal(parsePrecision("ms"), "ms");
  assert.equal(parsePrecision(""), "ns");
  assert.equal(parsePrecision("µs"), null);
});

Deno.test("series: many distinct keys (cache growth and its limit), same key in other orders", () => {
  const n = lpSeriesCacheEntriesMax + 100;
  let text = "";
  for (let i = 0; i < n; i++) text += `m,host=h${i} v=${i}i ${i}000\n`;
  text += "m,host=h5 v=5i\nm,host=h70000 v=1i\n";
  const r = parseText(text);
  assert.deepEqual(reasons(r), []);
  const m = r.measurements.get("m")!;
  assert.equal(m.rows, n + 2);
  const host = m.tags.get("host")!.data as string[];
  const v = m.fields.get("v")!.column.data as BigInt64Array;
  for (let i = 0; i < n; i++) {
    assert.ok(host[i] === `h${i}` && v[i] === BigInt(i) && m.time[i] === i, `row ${i}`);
  }
  assert.equal(host[n], "h5");
  assert.equal(host[n + 1], "h70000");

  const o = parseText("m,a=1,b=2 v=1\nm,b=2,a=1 v=2\nm,b=3 v=3\n");
  assert.deepEqual(rowsOf(o.measurements.get("m")!), [
    { time: 0, a: "1", b: "2", v: 1 },
    { time: 0, a: "1", b: "2", v: 2 },
    { time: 0, a: null, b: "3", v: 3 },
  ]);
});

Deno.test("fields: other orders and subsets than the line before (prediction misses)", () => {
  const r = parseText("m a=1,b=2,c=3\nm c=4,a=5\nm b=6\nm a=7,b=8,c=9,d=10\nm a=11,b=12,c=13\n");
  assert.deepEqual(rowsOf(r.measurements.get("m")!), [
    { time: 0, a: 1, b: 2, c: 3, d: null },
    { time: 0, a: 5, b: null, c: 4, d: null },
    { time: 0, a: null, b: 6, c: null, d: null },
    { time: 0, a: 7, b: 8, c: 9, d: 10 },
    { time: 0, a: 11, b: 12, c: 13, d: null },
  ]);
  // Keys that are prefixes of each other, escaped keys.
  const p = parseText("m ab=1,a=2\nm a=3,ab=4\nm a\\ b=5,a=6\nm a\\ b=7,a=8\n");
  assert.deepEqual(rowsOf(p.measurements.get("m")!), [
    { time: 0, ab: 1, a: 2, "a b": null },
    { time: 0, ab: 4, a: 3, "a b": null },
    { time: 0, ab: null, a: 6, "a b": 5 },
    { time: 0, ab: null, a: 8, "a b": 7 },
  ]);
});

Deno.test("growth: columns that start late, and beyond the first guess of rows", () => {
  let text = "short a=1\n";
  for (let i = 0; i < 3000; i++) {
    text += `m,tag=${i % 7} a=${i}${i % 3 === 0 ? `,late="s${i}"` : ""}${
      i % 5 === 0 ? ",b=t" : ""
    }\n`;
  }
  const r = parseText(text);
  assert.deepEqual(reasons(r), []);
  const rows = rowsOf(r.measurements.get("m")!);
  assert.equal(rows.length, 3000);
  for (let i = 0; i < 3000; i++) {
    assert.deepEqual(rows[i], {
      time: 0,
      tag: String(i % 7),
      a: i,
      late: i % 3 === 0 ? `s${i}` : null,
      b: i % 5 === 0 ? true : null,
    });
  }
});

Deno.test("TSBS cpu line protocol parses to exactly the generator's columns", () => {
  const chunks = [...generateCpuLineProtocol({ hosts: 10, rows: 2500, batchRows: 1000 })];
  const batches = [...generateCpuBatches({ hosts: 10, rows: 2500, batchRows: 1000 })];
  assert.equal(chunks.length, batches.length);
  for (let b = 0; b < chunks.length; b++) {
    const r = parseLineProtocol(chunks[b]!, { defaultTimeMicros: 0 });
    assert.deepEqual(reasons(r), []);
    const cpu = r.measurements.get("cpu")!;
    const expected = batches[b]!.columns as unknown as Record<string, ArrayLike<unknown>>;
    assert.deepEqual([...cpu.time], Array.from(expected.time!));
    for (const [k, c] of cpu.tags) assert.deepEqual(c.data, Array.from(expected[k]!));
    for (const [k, f] of cpu.fields) {
      assert.equal(f.type, "float");
      assert.deepEqual([...(f.column.data as Float64Array)], Array.from(expected[k]!));
    }
  }
});

Deno.test("the body may be a view into a larger buffer", () => {
  const whole = new TextEncoder().encode("garbage\nm a=1 1000\nm a=2 2000\nmore garbage");
  const r = parseLineProtocol(whole.subarray(8, 30), { defaultTimeMicros: 0 });
  assert.deepEqual(reasons(r), []);
  assert.deepEqual(rowsOf(r.measurements.get("m")!), [{ time: 1, a: 1 }, { time: 2, a: 2 }]);
});

Deno.test("mergedPoints: points that share a series and microsecond only after flooring", () => {
  const merged = (text: string) => parseText(text).measurements.get("m")!.mergedPoints;
  // no sub-microsecond part anywhere: nothing counted, even for equal timestamps
  assert.equal(merged("m,h=a v=1 1000\nm,h=a v=2 1000\n"), 0);
  // equal to the nanosecond: a plain overwrite, not counted
  assert.equal(merged("m,h=a v=1 1001\nm,h=a v=2 1001\n"), 0);
  // three distinct nanoseconds in one microsecond: two merged
  assert.equal(merged("m,h=a v=1 2000\nm,h=a v=2 2001\nm,h=a v=3 2999\n"), 2);
  // other series, other microseconds: not merged
  assert.equal(merged("m,h=a v=1 3001\nm,h=b v=2 3002\nm,h=a v=3 4001\n"), 0);
  // tag order does not make another series; a missing tag does
  assert.equal(merged("m,h=a,r=x v=1 5001\nm,r=x,h=a v=2 5002\nm,h=a v=3 5003\n"), 1);
  // negative times floor too: -1, -999 and -1000 ns are all in microsecond -1
  assert.equal(merged("m v=1 -1\nm v=2 -999\nm v=3 -1000\nm v=4 -1001\n"), 2);
  // other precisions have no sub-microsecond part
  assert.equal(
    parseText("m v=1 1\nm v=2 1\n", { precision: "us" }).measurements.get("m")!.mergedPoints,
    0,
  );
});

Deno.test("tags come with dictionary codes: one code per distinct value, NULL where absent", () => {
  const r = parseText(
    "m,host=a,dc=x v=1 1\nm,host=b v=2 2\nbad line\nm,dc=y,host=a v=3 3\nm,host=b\\ c v=4 4\n",
  );
  const m = r.measurements.get("m")!;
  for (const [name, col] of m.tags) {
    const coded = dictCodesOf(col);
    assert.ok(coded !== undefined, name);
    for (let i = 0; i < m.rows; i++) {
      const v = valueAt(col, i);
      if (v !== null) assert.equal(coded.dict[coded.codes[i]!], v, `${name} row ${i}`);
    }
    assert.equal(new Set(coded.dict).size, coded.dict.length, `${name}: distinct entries`);
  }
  assert.deepEqual(dictCodesOf(m.tags.get("host")!)!.dict, ["a", "b", "b c"]);
  assert.equal(valueAt(m.tags.get("dc")!, 1), null);
});
