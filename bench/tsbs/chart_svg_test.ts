import assert from "node:assert/strict";
import {
  escapeXml,
  ingestChartSvg,
  latencyChartSvg,
  logScale,
  niceLinearTicks,
} from "./chart_svg.ts";
import type { BenchRecord, EngineName } from "./record.ts";

/**
 * A minimal well-formedness check (Deno has no DOMParser): every tag is closed in order, every
 * attribute value is quoted, and text and attribute values hold no raw `<` and no `&` that does
 * not start an entity. Returns the problems found (empty: well formed).
 */
function xmlProblems(svg: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  const entity = /&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;
  let i = 0;
  while (i < svg.length) {
    const c = svg[i]!;
    if (c === "<") {
      tag.lastIndex = i;
      const m = tag.exec(svg);
      if (m === null) {
        problems.push(`malformed tag at ${i}: ${svg.slice(i, i + 40)}`);
        return problems;
      }
      const [whole, closing, name, attrs, selfClosing] = m;
      for (const a of attrs!.matchAll(/="([^"]*)"/g)) {
        if (/&(?!(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(a[1]!)) {
          problems.push(`raw & in attribute of <${name}>`);
        }
      }
      if (closing === "/") {
        const open = stack.pop();
        if (open !== name) problems.push(`</${name}> closes <${open}> at ${i}`);
      } else if (selfClosing !== "/") {
        stack.push(name!);
      }
      i += whole!.length;
    } else if (c === "&") {
      entity.lastIndex = i;
      const m = entity.exec(svg);
      if (m === null) problems.push(`raw & at ${i}`);
      i += m === null ? 1 : m[0].length;
    } else {
      i++;
    }
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(", ")}`);
  return problems;
}

function latency(workload: string, engine: EngineName, value: number): BenchRecord {
  return {
    workload,
    engine,
    metric: "latency",
    value,
    unit: "ms",
    rows: 1000,
    hosts: 10,
    p50: value,
    p99: value * 2,
    n: 10,
  };
}

const barX = (svg: string) =>
  [...svg.matchAll(/<rect class="bar" [^>]*? width="([\d.]+)"/g)].map((m) => Number(m[1]));

Deno.test("the checker itself rejects broken XML", () => {
  assert.deepEqual(xmlProblems('<svg><g x="1"></g></svg>'), []);
  assert.notDeepEqual(xmlProblems("<svg><g></svg>"), []);
  assert.notDeepEqual(xmlProblems("<svg>a & b</svg>"), []);
  assert.notDeepEqual(xmlProblems("<svg><text>a < b</text></svg>"), []);
  assert.notDeepEqual(xmlProblems('<svg x="a & b"/>'), []);
});

Deno.test("latency chart: well formed, one bar per latency record, other metrics ignored", () => {
  const records = [
    latency("point", "omendb", 0.05),
    latency("point", "duckdb", 1.5),
    latency("point", "sqlite", 0.4),
    latency("lastpoint", "omendb", 3),
    latency("lastpoint", "duckdb", 40),
    { ...latency("ingest", "omendb", 5), metric: "throughput", unit: "rows/s" },
  ];
  const svg = latencyChartSvg(records);
  assert.deepEqual(xmlProblems(svg), []);
  assert.equal(barX(svg).length, 5);
  assert.match(svg, /data-workload="point" data-engine="sqlite"/);
  // legend: one entry per engine
  assert.equal(svg.split('class="legend"').length - 1, 3);
  // a tick label at every power of ten from 0.01 to 100
  for (const label of ["0.01", "0.1", "1", "10", "100"]) {
    assert.match(svg, new RegExp(`text-anchor="middle">${label.replace(".", "\\.")}</text>`));
  }
  assert.match(svg, /0\.05 ms/);
});

Deno.test("latency chart: bar length grows monotonically with the value (log scale)", () => {
  const values = [0.001, 0.01, 0.3, 2, 70, 900, 12_000];
  const svg = latencyChartSvg(values.map((v, i) => latency(`q${i}`, "omendb", v)));
  const widths = barX(svg);
  assert.equal(widths.length, values.length);
  for (let i = 1; i < widths.length; i++) assert.ok(widths[i]! > widths[i - 1]!, `bar ${i}`);
});

Deno.test('latency chart: names with < & " are escaped; output is deterministic', () => {
  const records = [latency(`a<b & "c"`, "omendb", 1), latency("x'y>", "duckdb", 2)];
  const svg = latencyChartSvg(records, { title: "T <&>" });
  assert.deepEqual(xmlProblems(svg), []);
  assert.ok(svg.includes("a&lt;b &amp; &quot;c&quot;"));
  assert.ok(svg.includes("T &lt;&amp;&gt;"));
  assert.ok(!svg.includes("a<b"));
  assert.equal(latencyChartSvg(records, { title: "T <&>" }), svg);
});

Deno.test("latency chart: empty input and zero values still give a valid chart", () => {
  assert.deepEqual(xmlProblems(latencyChartSvg([])), []);
  const svg = latencyChartSvg([latency("z", "omendb", 0), latency("z", "duckdb", 1)]);
  assert.deepEqual(xmlProblems(svg), []);
  assert.equal(barX(svg).length, 2);
});

Deno.test("log scale: powers of ten are evenly spaced, and the domain covers the values", () => {
  const s = logScale([0.003, 4_000], 100, 800);
  assert.equal(s.loExp, -3);
  assert.equal(s.hiExp, 4);
  const step = s.x(1) - s.x(0.1);
  assert.ok(Math.abs(s.x(10) - s.x(1) - step) < 1e-9);
  assert.equal(s.x(1e-3), 100);
  assert.equal(s.x(1e4), 800);
  const exact = logScale([1, 1000], 0, 1);
  assert.ok(exact.loExp <= 0 && exact.hiExp >= 3);
});

Deno.test("nice linear ticks cover the maximum with 1/2/5 steps", () => {
  for (const max of [0.7, 3, 19, 730_000, 1_000_000, 4.2e6]) {
    const t = niceLinearTicks(max, 5);
    assert.ok(t.max >= max, `${max}`);
    const mantissa = t.step / 10 ** Math.floor(Math.log10(t.step));
    assert.ok([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9), `${t.step}`);
    assert.ok(t.max / t.step <= 10);
  }
});

Deno.test("ingest chart: one polyline per record with a series, y grows upward with the rate", () => {
  const base = latency("ingest-http", "omendb-http", 0);
  const records: BenchRecord[] = [
    {
      ...base,
      metric: "throughput",
      unit: "rows/s",
      value: 8e5,
      series: [[0.25, 1e5], [0.5, 9e5], [0.75, 5e5]],
    },
    {
      ...base,
      engine: "influxdb",
      metric: "throughput",
      unit: "rows/s",
      value: 1e5,
      series: [[0.25, 1.2e5], [0.5, 1.4e5]],
    },
    { ...base, metric: "cpu-seconds", unit: "s", value: 3 },
  ];
  const svg = ingestChartSvg(records);
  assert.deepEqual(xmlProblems(svg), []);
  const lines = [...svg.matchAll(/<polyline class="line" [^>]*points="([^"]*)"/g)];
  assert.equal(lines.length, 2);
  const ys = lines[0]![1]!.split(" ").map((p) => Number(p.split(",")[1]));
  // SVG y grows downward: the 9e5 point is highest (smallest y), 1e5 lowest
  assert.ok(ys[1]! < ys[2]! && ys[2]! < ys[0]!);
  const xs = lines[0]![1]!.split(" ").map((p) => Number(p.split(",")[0]));
  assert.ok(xs[0]! < xs[1]! && xs[1]! < xs[2]!);
  assert.equal(ingestChartSvg(records), svg);
  assert.deepEqual(xmlProblems(ingestChartSvg([])), []);
});

Deno.test("escapeXml escapes all five special characters", () => {
  assert.equal(escapeXml(`<>&"'`), "&lt;&gt;&amp;&quot;&apos;");
  assert.equal(escapeXml("plain"), "plain");
});
