/**
 * SVG charts of benchmark records, as pure functions with no dependencies: the same records give
 * the same bytes.
 *
 * - {@link latencyChartSvg}: a grouped horizontal bar chart of the `latency` records, one group
 *   per workload and one bar per engine, on a log-scale axis in ms, values at the bar ends.
 * - {@link ingestChartSvg}: a line chart of the `series` of ingest records (rows/s over
 *   seconds), one line per engine.
 *
 * @example
 * ```ts
 * import { latencyChartSvg } from "./chart_svg.ts";
 * const svg = latencyChartSvg([{
 *   workload: "point", engine: "omendb", metric: "latency", value: 0.2, unit: "ms",
 *   rows: 1000, hosts: 10, p50: 0.2, p99: 0.5, n: 20,
 * }]);
 * console.assert(svg.startsWith("<svg") && svg.includes('class="bar"'));
 * ```
 *
 * @module
 */
import type { BenchRecord } from "./record.ts";

/** Width of every chart, in SVG user units (px). */
export const chartWidthPx = 900;
/** Height of one bar of the latency chart, in px. */
export const barHeightPx = 14;
/** Vertical gap between two workload groups of the latency chart, in px. */
export const groupGapPx = 12;
/** Height of the plot area of the ingest chart, in px. */
export const linePlotHeightPx = 320;
/** Room left of the plot for workload names / y tick labels, in px. */
const leftMarginPx = 190;
/** Room right of the plot for the value labels at the bar ends, in px. */
const rightMarginPx = 110;
/** Room above the plot for the title and the legend, in px. */
const topMarginPx = 56;
/** Room below the plot for the x axis and its labels, in px. */
const bottomMarginPx = 44;
/** Colours of the engines, in order of first appearance (cycled beyond). */
const palette = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
];

/**
 * Escapes text for XML character data and attribute values.
 *
 * @example
 * ```ts
 * import { escapeXml } from "./chart_svg.ts";
 * console.assert(escapeXml(`a<b & "c"`) === "a&lt;b &amp; &quot;c&quot;");
 * ```
 */
export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) =>
      c === "<"
        ? "&lt;"
        : c === ">"
        ? "&gt;"
        : c === "&"
        ? "&amp;"
        : c === '"'
        ? "&quot;"
        : "&apos;",
  );
}

/** A number for an SVG attribute: at most 2 decimals, no trailing zeros. */
function n2(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/**
 * A value with 3 significant digits and a k/M/G suffix from 10,000 up.
 *
 * @example
 * ```ts
 * import { formatNumber } from "./chart_svg.ts";
 * console.assert(formatNumber(0.01234) === "0.0123");
 * console.assert(formatNumber(1_234_567) === "1.23M");
 * console.assert(formatNumber(250) === "250");
 * ```
 */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e9) return `${Number((v / 1e9).toPrecision(3))}G`;
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  if (a === 0) return "0";
  return String(Number(v.toPrecision(3)));
}

/** A log10 scale from [10^lo, 10^hi] onto [x0, x1]: values below the domain map to x0. */
export interface LogScale {
  /** Lowest power of ten of the domain. */
  readonly loExp: number;
  /** Highest power of ten of the domain (above loExp). */
  readonly hiExp: number;
  /** The pixel of a value. */
  x(value: number): number;
}

/**
 * A log scale covering `values` (positive finite ones; none: 1..10) rounded out to powers of
 * ten, mapped onto [x0, x1].
 *
 * @example
 * ```ts
 * import { logScale } from "./chart_svg.ts";
 * const s = logScale([0.5, 20], 0, 300);
 * console.assert(s.loExp === -1 && s.hiExp === 2);
 * console.assert(s.x(0.1) === 0 && s.x(100) === 300 && s.x(1) === 100);
 * ```
 */
export function logScale(values: readonly number[], x0: number, x1: number): LogScale {
  const ok = values.filter((v) => v > 0 && Number.isFinite(v));
  let loExp = ok.length === 0 ? 0 : Math.floor(Math.log10(Math.min(...ok)));
  let hiExp = ok.length === 0 ? 1 : Math.ceil(Math.log10(Math.max(...ok)));
  if (hiExp <= loExp) hiExp = loExp + 1;
  // guard against float error in log10 of exact powers of ten
  if (ok.length > 0 && 10 ** loExp > Math.min(...ok)) loExp--;
  const span = hiExp - loExp;
  return {
    loExp,
    hiExp,
    x(value: number): number {
      if (!(value > 0)) return x0;
      const f = (Math.log10(value) - loExp) / span;
      return x0 + Math.min(1, Math.max(0, f)) * (x1 - x0);
    },
  };
}

/**
 * A "nice" upper bound and tick step for a linear axis from 0 to at least `max`, with about
 * `ticks` ticks (steps of 1, 2 or 5 x 10^k).
 *
 * @example
 * ```ts
 * import { niceLinearTicks } from "./chart_svg.ts";
 * const t = niceLinearTicks(730_000, 5);
 * console.assert(t.step === 200_000 && t.max === 800_000);
 * ```
 */
export function niceLinearTicks(max: number, ticks: number): { max: number; step: number } {
  if (!(max > 0) || !Number.isFinite(max)) return { max: 1, step: 0.2 };
  const raw = max / ticks;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const f = raw / pow;
  const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * pow;
  return { max: Math.ceil(max / step - 1e-9) * step, step };
}

/** Items in order of first appearance. */
function distinct(items: readonly string[]): string[] {
  return [...new Set(items)];
}

function legend(engines: readonly string[], y: number): string[] {
  const out: string[] = [];
  let x = leftMarginPx;
  for (const [i, e] of engines.entries()) {
    const colour = palette[i % palette.length]!;
    out.push(
      `<rect class="legend" x="${x}" y="${y - 10}" width="12" height="12" fill="${colour}"/>`,
      `<text x="${x + 16}" y="${y}" font-size="12">${escapeXml(e)}</text>`,
    );
    x += 16 + 8 * e.length + 24;
  }
  return out;
}

function svgDocument(height: number, title: string, body: readonly string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${chartWidthPx}" height="${n2(height)}" ` +
    `viewBox="0 0 ${chartWidthPx} ${n2(height)}" font-family="sans-serif">`,
    `<rect x="0" y="0" width="${chartWidthPx}" height="${n2(height)}" fill="#ffffff"/>`,
    `<text x="${leftMarginPx}" y="20" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
}

/** Options of {@link latencyChartSvg}. */
export interface LatencyChartOptions {
  /** Chart title. */
  readonly title?: string;
  /** Keeps only the workloads this returns true for (default: every `latency` record). */
  readonly workloads?: (workload: string) => boolean;
}

/**
 * A grouped horizontal bar chart of the records with metric `latency` (their `value`, in ms):
 * one group per workload, one bar per engine in it, a log-scale x axis with a tick at every
 * power of ten, a legend, and each value printed at its bar's end. Bars carry
 * `class="bar"` and `data-workload` / `data-engine` attributes.
 *
 * @example
 * ```ts
 * import { latencyChartSvg } from "./chart_svg.ts";
 * const r = {
 *   workload: "lastpoint", engine: "omendb" as const, metric: "latency", value: 3, unit: "ms",
 *   rows: 1000, hosts: 10, p50: 3, p99: 4, n: 5,
 * };
 * const svg = latencyChartSvg([r, { ...r, engine: "duckdb", value: 30 }]);
 * console.assert(svg.split('class="bar"').length - 1 === 2);
 * ```
 */
export function latencyChartSvg(
  records: readonly BenchRecord[],
  options: LatencyChartOptions = {},
): string {
  const keep = options.workloads ?? (() => true);
  const rs = records.filter((r) => r.metric === "latency" && keep(r.workload));
  const workloads = distinct(rs.map((r) => r.workload));
  const engines = distinct(rs.map((r) => r.engine));
  const plotX0 = leftMarginPx, plotX1 = chartWidthPx - rightMarginPx;
  const scale = logScale(rs.map((r) => r.value), plotX0, plotX1);
  const body: string[] = [...legend(engines, 42)];
  let y = topMarginPx;
  for (const w of workloads) {
    const group = rs.filter((r) => r.workload === w);
    const groupHeight = group.length * barHeightPx;
    body.push(
      `<text x="${plotX0 - 8}" y="${n2(y + groupHeight / 2 + 4)}" font-size="12" ` +
        `text-anchor="end">${escapeXml(w)}</text>`,
    );
    for (const r of group) {
      const colour = palette[engines.indexOf(r.engine) % palette.length]!;
      const x = scale.x(r.value);
      body.push(
        `<rect class="bar" data-workload="${escapeXml(w)}" data-engine="${
          escapeXml(r.engine)
        }" x="${plotX0}" y="${y}" width="${n2(Math.max(1, x - plotX0))}" height="${
          barHeightPx - 2
        }" fill="${colour}"><title>${escapeXml(`${w} ${r.engine}: ${r.value} ms`)}</title></rect>`,
        `<text x="${n2(Math.max(plotX0 + 1, x) + 4)}" y="${y + barHeightPx - 4}" font-size="10">${
          escapeXml(`${formatNumber(r.value)} ms`)
        }</text>`,
      );
      y += barHeightPx;
    }
    y += groupGapPx;
  }
  const plotY1 = Math.max(y, topMarginPx + barHeightPx);
  body.push(
    `<line x1="${plotX0}" y1="${plotY1}" x2="${plotX1}" y2="${plotY1}" stroke="#000000"/>`,
  );
  for (let e = scale.loExp; e <= scale.hiExp; e++) {
    const x = n2(scale.x(10 ** e));
    body.push(
      `<line class="tick" x1="${x}" y1="${topMarginPx - 4}" x2="${x}" y2="${plotY1 + 4}" ` +
        `stroke="#cccccc"/>`,
      `<text x="${x}" y="${plotY1 + 18}" font-size="11" text-anchor="middle">${
        escapeXml(formatNumber(10 ** e))
      }</text>`,
    );
  }
  body.push(
    `<text x="${n2((plotX0 + plotX1) / 2)}" y="${plotY1 + 36}" font-size="12" ` +
      `text-anchor="middle">latency, ms (log scale; shorter is better)</text>`,
  );
  return svgDocument(
    plotY1 + bottomMarginPx,
    options.title ?? "Latency per query and engine",
    body,
  );
}

/** Options of {@link ingestChartSvg}. */
export interface IngestChartOptions {
  /** Chart title. */
  readonly title?: string;
}

/**
 * A line chart of the `series` of the given records ([seconds, rows/s] pairs): one polyline
 * (`class="line"`) per record with a non-empty series, labelled by engine (and workload when
 * several workloads are present), linear axes from 0 with ticks, and a legend.
 *
 * @example
 * ```ts
 * import { ingestChartSvg } from "./chart_svg.ts";
 * const svg = ingestChartSvg([{
 *   workload: "ingest-http", engine: "influxdb", metric: "throughput", value: 1e5,
 *   unit: "rows/s", rows: 1000, hosts: 10, p50: null, p99: null, n: 1,
 *   series: [[0.25, 90_000], [0.5, 110_000]],
 * }]);
 * console.assert(svg.split('class="line"').length - 1 === 1);
 * ```
 */
export function ingestChartSvg(
  records: readonly BenchRecord[],
  options: IngestChartOptions = {},
): string {
  const rs = records.filter((r) => r.series !== undefined && r.series.length > 0);
  const manyWorkloads = distinct(rs.map((r) => r.workload)).length > 1;
  const labels = distinct(rs.map((r) => manyWorkloads ? `${r.engine} (${r.workload})` : r.engine));
  const plotX0 = leftMarginPx - 100, plotX1 = chartWidthPx - 40;
  const plotY0 = topMarginPx, plotY1 = topMarginPx + linePlotHeightPx;
  let tMax = 0, vMax = 0;
  for (const r of rs) {
    for (const [t, v] of r.series!) {
      if (Number.isFinite(t)) tMax = Math.max(tMax, t);
      if (Number.isFinite(v)) vMax = Math.max(vMax, v);
    }
  }
  const xt = niceLinearTicks(tMax, 8), yt = niceLinearTicks(vMax, 5);
  const px = (t: number) => plotX0 + (t / xt.max) * (plotX1 - plotX0);
  const py = (v: number) => plotY1 - (v / yt.max) * (plotY1 - plotY0);
  const body: string[] = [...legend(labels, 42)];
  for (let v = 0; v <= yt.max + yt.step / 2; v += yt.step) {
    const y = n2(py(v));
    body.push(
      `<line class="tick" x1="${plotX0}" y1="${y}" x2="${plotX1}" y2="${y}" stroke="#e0e0e0"/>`,
      `<text x="${plotX0 - 6}" y="${y}" font-size="11" text-anchor="end">${
        escapeXml(formatNumber(v))
      }</text>`,
    );
  }
  for (let t = 0; t <= xt.max + xt.step / 2; t += xt.step) {
    const x = n2(px(t));
    body.push(
      `<line class="tick" x1="${x}" y1="${plotY1}" x2="${x}" y2="${plotY1 + 4}" stroke="#000000"/>`,
      `<text x="${x}" y="${plotY1 + 18}" font-size="11" text-anchor="middle">${
        escapeXml(formatNumber(Math.round(t * 1000) / 1000))
      }</text>`,
    );
  }
  body.push(
    `<line x1="${plotX0}" y1="${plotY1}" x2="${plotX1}" y2="${plotY1}" stroke="#000000"/>`,
    `<line x1="${plotX0}" y1="${plotY0}" x2="${plotX0}" y2="${plotY1}" stroke="#000000"/>`,
    `<text x="${n2((plotX0 + plotX1) / 2)}" y="${plotY1 + 36}" font-size="12" ` +
      `text-anchor="middle">seconds since the load started</text>`,
    `<text x="${plotX0}" y="${plotY0 - 6}" font-size="12">rows/s acknowledged</text>`,
  );
  for (const r of rs) {
    const label = manyWorkloads ? `${r.engine} (${r.workload})` : r.engine;
    const colour = palette[labels.indexOf(label) % palette.length]!;
    const points = r.series!
      .filter(([t, v]) => Number.isFinite(t) && Number.isFinite(v))
      .map(([t, v]) => `${n2(px(t))},${n2(py(v))}`)
      .join(" ");
    body.push(
      `<polyline class="line" data-engine="${escapeXml(label)}" fill="none" stroke="${colour}" ` +
        `stroke-width="2" points="${points}"/>`,
    );
  }
  return svgDocument(
    plotY1 + bottomMarginPx,
    options.title ?? "Ingest throughput over time",
    body,
  );
}
