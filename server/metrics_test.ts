import assert from "node:assert/strict";
import {
  escapeHelp,
  escapeLabelValue,
  formatNumber,
  MetricsRegistry,
  overflowLabelValue,
  prometheusContentType,
} from "./metrics.ts";

Deno.test("metrics: counter and gauge exposition with HELP, TYPE and labels", () => {
  const r = new MetricsRegistry();
  const c = r.counter({
    name: "t_requests_total",
    help: "Requests.",
    labelNames: ["route", "code"],
  });
  const g = r.gauge({ name: "t_temperature_celsius", help: "Temperature." });
  c.labels("/a", "2xx").inc();
  c.labels("/a", "2xx").inc(2);
  c.labels("/b", "5xx").inc();
  g.set(21.5);
  g.dec(0.5);
  assert.equal(
    r.expose(),
    [
      "# HELP t_requests_total Requests.",
      "# TYPE t_requests_total counter",
      't_requests_total{route="/a",code="2xx"} 3',
      't_requests_total{route="/b",code="5xx"} 1',
      "# HELP t_temperature_celsius Temperature.",
      "# TYPE t_temperature_celsius gauge",
      "t_temperature_celsius 21",
      "",
    ].join("\n"),
  );
  assert.equal(prometheusContentType, "text/plain; version=0.0.4; charset=utf-8");
});

Deno.test("metrics: the same label values give the same child", () => {
  const r = new MetricsRegistry();
  const c = r.counter({ name: "t_total", help: "x", labelNames: ["a", "b"] });
  assert.equal(c.labels("x", "y"), c.labels("x", "y"));
  assert.notEqual(c.labels("x", "y"), c.labels("y", "x"));
  assert.notEqual(c.labels("x", "y"), c.labels("x", "z"));
});

Deno.test("metrics: an unlabeled family reads 0 before its first change", () => {
  const r = new MetricsRegistry();
  r.counter({ name: "t_events_total", help: "x" });
  const labeled = r.counter({ name: "t_labeled_total", help: "y", labelNames: ["k"] });
  assert.match(r.expose(), /^t_events_total 0$/m);
  // a labeled family without children has only its HELP and TYPE lines
  assert.doesNotMatch(r.expose(), /^t_labeled_total/m);
  labeled.labels("v").inc();
  assert.match(r.expose(), /^t_labeled_total\{k="v"\} 1$/m);
});

Deno.test("metrics: histogram buckets are cumulative, with +Inf, _sum and _count", () => {
  const r = new MetricsRegistry();
  const h = r.histogram({
    name: "t_latency_seconds",
    help: "Latency.",
    labelNames: ["route"],
    buckets: [0.1, 0.5, 1],
  });
  const a = h.labels("/a");
  for (const v of [0.05, 0.1, 0.3, 0.7, 2]) a.observe(v);
  const unlabeled = r.histogram({ name: "t_size_bytes", help: "Size.", buckets: [10] });
  unlabeled.observe(3);
  assert.equal(a.count, 5);
  assert.equal(
    r.expose(),
    [
      "# HELP t_latency_seconds Latency.",
      "# TYPE t_latency_seconds histogram",
      't_latency_seconds_bucket{route="/a",le="0.1"} 2', // 0.1 counts in le="0.1"
      't_latency_seconds_bucket{route="/a",le="0.5"} 3',
      't_latency_seconds_bucket{route="/a",le="1"} 4',
      't_latency_seconds_bucket{route="/a",le="+Inf"} 5',
      't_latency_seconds_sum{route="/a"} 3.15',
      't_latency_seconds_count{route="/a"} 5',
      "# HELP t_size_bytes Size.",
      "# TYPE t_size_bytes histogram",
      't_size_bytes_bucket{le="10"} 1',
      't_size_bytes_bucket{le="+Inf"} 1',
      "t_size_bytes_sum 3",
      "t_size_bytes_count 1",
      "",
    ].join("\n"),
  );
});

Deno.test("metrics: label values and HELP are escaped; special numbers are spelled", () => {
  assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  assert.equal(escapeHelp('say "hi"\\\nbye'), 'say "hi"\\\\\\nbye');
  assert.equal(formatNumber(NaN), "NaN");
  assert.equal(formatNumber(Infinity), "+Inf");
  assert.equal(formatNumber(-Infinity), "-Inf");
  assert.equal(formatNumber(0.25), "0.25");
  assert.equal(formatNumber(1e21), "1e+21");
  const r = new MetricsRegistry();
  r.gauge({ name: "t_g", help: "line one\nline two", labelNames: ["path"] })
    .labels('C:\\tmp\\"x"')
    .set(NaN);
  assert.equal(
    r.expose(),
    '# HELP t_g line one\\nline two\n# TYPE t_g gauge\nt_g{path="C:\\\\tmp\\\\\\"x\\""} NaN\n',
  );
});

Deno.test("metrics: past seriesMax new label combinations share the _overflow series", () => {
  const r = new MetricsRegistry();
  const c = r.counter({ name: "t_total", help: "x", labelNames: ["a", "b"], seriesMax: 2 });
  c.labels("1", "1").inc();
  c.labels("1", "2").inc();
  c.labels("1", "3").inc();
  c.labels("2", "1").inc(5);
  c.labels("1", "1").inc(); // an existing series still counts on its own
  const text = r.expose();
  assert.match(text, /^t_total\{a="1",b="1"\} 2$/m);
  assert.match(text, /^t_total\{a="1",b="2"\} 1$/m);
  assert.match(
    text,
    new RegExp(`^t_total\\{a="${overflowLabelValue}",b="${overflowLabelValue}"\\} 6$`, "m"),
  );
  assert.equal(text.split("\n").filter((l) => l.startsWith("t_total")).length, 3);
});

Deno.test("metrics: mistakes in names, labels and buckets are assertion failures", () => {
  const r = new MetricsRegistry();
  r.counter({ name: "t_total", help: "x" });
  assert.throws(() => r.gauge({ name: "t_total", help: "x" }), /already registered/);
  r.histogram({ name: "t_h", help: "x", buckets: [1] });
  assert.throws(() => r.counter({ name: "t_h_count", help: "x" }), /already registered/);
  assert.throws(() => r.counter({ name: "bad-name", help: "x" }), /bad metric name/);
  assert.throws(
    () => r.counter({ name: "t2_total", help: "x", labelNames: ["__x"] }),
    /bad label name/,
  );
  assert.throws(
    () => r.histogram({ name: "t3", help: "x", labelNames: ["le"], buckets: [1] }),
    /"le" label/,
  );
  assert.throws(() => r.histogram({ name: "t4", help: "x", buckets: [1, 1] }), /increase/);
  assert.throws(() => r.histogram({ name: "t5", help: "x", buckets: [Infinity] }), /finite/);
  const c = r.counter({ name: "t6_total", help: "x", labelNames: ["a"] });
  assert.throws(() => (c.labels as (...v: string[]) => unknown)("x", "y"), /takes 1 label/);
  assert.throws(() => c.labels("x").inc(-1), /only goes up/);
});

Deno.test("metrics: collectors run before each exposition", () => {
  const r = new MetricsRegistry();
  const g = r.gauge({ name: "t_now", help: "x" });
  let n = 0;
  r.onCollect(() => g.set(++n));
  assert.match(r.expose(), /^t_now 1$/m);
  assert.match(r.expose(), /^t_now 2$/m);
});
