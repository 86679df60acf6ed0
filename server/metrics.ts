/**
 * A small metrics registry (counters, gauges, histograms, each with optional labels) and its
 * Prometheus text exposition, format 0.0.4. No dependency, no timers, no I/O.
 *
 * Hot paths do not allocate: `family.labels(...)` returns the same child for the same label
 * values (found through one Map per label, no key string is built), so callers look a child up
 * once and keep it. Label cardinality is bounded: past `seriesMax` label combinations a family
 * sends every new combination to one overflow series whose label values are all `_overflow`.
 *
 * @example
 * ```ts
 * import { MetricsRegistry } from "./metrics.ts";
 * const registry = new MetricsRegistry();
 * const requests = registry.counter({
 *   name: "app_requests_total",
 *   help: "Requests served.",
 *   labelNames: ["route"],
 * });
 * const sql = requests.labels("/sql"); // look up once, keep the child
 * sql.inc();
 * const latency = registry.histogram({
 *   name: "app_latency_seconds",
 *   help: "Latency.",
 *   buckets: [0.1, 1],
 * });
 * latency.observe(0.5);
 * const text = registry.expose();
 * console.assert(text.includes('app_requests_total{route="/sql"} 1\n'));
 * console.assert(text.includes('app_latency_seconds_bucket{le="1"} 1\n'));
 * ```
 *
 * @module
 */
import { assert } from "../core/errors.ts";

/** The `Content-Type` of {@link MetricsRegistry.expose}'s output. */
export const prometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

/** Label combinations one family keeps by default before it folds new ones into `_overflow`. */
export const seriesMaxDefault = 1000;

/** The label value of the overflow series. */
export const overflowLabelValue = "_overflow";

/** One string per label name, in the order of `labelNames`. */
export type LabelValues<L extends readonly string[]> = { readonly [K in keyof L]: string };

/** Options shared by every metric family. */
export interface MetricOptions<L extends readonly string[]> {
  /** `[a-zA-Z_:][a-zA-Z0-9_:]*`; counters end in `_total`, units are base units (`_seconds`). */
  readonly name: string;
  /** One line saying what is counted. */
  readonly help: string;
  /** Label names, `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`. None by default. */
  readonly labelNames?: L;
  /** Label combinations kept; later ones share the `_overflow` series. */
  readonly seriesMax?: number;
}

/** Options of {@link MetricsRegistry.histogram}. */
export interface HistogramOptions<L extends readonly string[]> extends MetricOptions<L> {
  /** Upper bounds of the buckets, increasing and finite; `+Inf` is added. */
  readonly buckets: readonly number[];
}

/** One series of a counter. */
export interface CounterChild {
  /** Adds `n` (default 1, must not be negative). */
  inc(n?: number): void;
  /**
   * Sets the total, for a counter that mirrors a cumulative count kept elsewhere (e.g. the
   * WAL's fsyncs) and is copied at collection time.
   */
  set(total: number): void;
  /** The current value. */
  readonly value: number;
}

/** One series of a gauge. */
export interface GaugeChild {
  /** Sets the value. */
  set(value: number): void;
  /** Adds `n` (default 1). */
  inc(n?: number): void;
  /** Subtracts `n` (default 1). */
  dec(n?: number): void;
  /** The current value. */
  readonly value: number;
}

/** One series of a histogram. */
export interface HistogramChild {
  /** Counts one observation (in the family's unit, e.g. seconds). */
  observe(value: number): void;
  /** Observations so far. */
  readonly count: number;
  /** Sum of the observations. */
  readonly sum: number;
}

type MetricType = "counter" | "gauge" | "histogram";

const metricNamePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

class CounterSeries implements CounterChild {
  value = 0;
  constructor(readonly labelText: string) {}
  inc(n = 1): void {
    assert(n >= 0, `a counter only goes up (inc(${n}))`);
    this.value += n;
  }
  set(total: number): void {
    this.value = total;
  }
}

class GaugeSeries implements GaugeChild {
  value = 0;
  constructor(readonly labelText: string) {}
  set(value: number): void {
    this.value = value;
  }
  inc(n = 1): void {
    this.value += n;
  }
  dec(n = 1): void {
    this.value -= n;
  }
}

class HistogramSeries implements HistogramChild {
  count = 0;
  sum = 0;
  /** Observations per bucket (not cumulative); the last slot is `+Inf`. */
  readonly counts: Float64Array;
  constructor(readonly labelText: string, readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]! += 1;
    this.count += 1;
    this.sum += value;
  }
}

/** A metric family: a name, a type and one child per label combination. */
abstract class Family<L extends readonly string[], C> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: L;
  readonly seriesMax: number;
  abstract readonly type: MetricType;
  /** Children in creation order (the exposition order). */
  readonly children: C[] = [];
  readonly #root = new Map<string, unknown>();
  #overflow: C | null = null;
  #unlabeled: C | null = null;

  constructor(options: MetricOptions<L>) {
    assert(metricNamePattern.test(options.name), `bad metric name "${options.name}"`);
    const labelNames = (options.labelNames ?? []) as unknown as L;
    for (const l of labelNames) {
      assert(labelNamePattern.test(l) && !l.startsWith("__"), `bad label name "${l}"`);
    }
    assert(new Set(labelNames).size === labelNames.length, `duplicate label in ${options.name}`);
    this.name = options.name;
    this.help = options.help;
    this.labelNames = labelNames;
    this.seriesMax = options.seriesMax ?? seriesMaxDefault;
    assert(this.seriesMax >= 1, "seriesMax must be at least 1");
  }

  protected abstract create(labelText: string): C;

  /** The child for these label values, created on first use. */
  labels(...values: LabelValues<L>): C {
    const names = this.labelNames;
    assert(
      values.length === names.length,
      `${this.name} takes ${names.length} label values, got ${values.length}`,
    );
    if (names.length === 0) return this.#unlabeled ??= this.#add(values);
    let node = this.#root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(values[i]!) as Map<string, unknown> | undefined;
      if (next === undefined) {
        if (this.children.length >= this.seriesMax) return this.#overflowChild();
        next = new Map();
        node.set(values[i]!, next);
      }
      node = next;
    }
    let child = node.get(values[last]!) as C | undefined;
    if (child === undefined) {
      if (this.children.length >= this.seriesMax) return this.#overflowChild();
      child = this.#add(values);
      node.set(values[last]!, child);
    }
    return child;
  }

  #add(values: readonly string[]): C {
    const child = this.create(labelText(this.labelNames, values));
    this.children.push(child);
    return child;
  }

  #overflowChild(): C {
    if (this.#overflow === null) {
      this.#overflow = this.create(
        labelText(this.labelNames, this.labelNames.map(() => overflowLabelValue)),
      );
      this.children.push(this.#overflow);
    }
    return this.#overflow;
  }
}

/** A counter family: `labels(...)` gives a {@link CounterChild}; without labels use it directly. */
export class Counter<L extends readonly string[] = []> extends Family<L, CounterChild> {
  readonly type = "counter";
  protected create(labelText: string): CounterChild {
    return new CounterSeries(labelText);
  }
  /** `inc` of the unlabeled series. */
  inc(n = 1): void {
    (this.labels as () => CounterChild)().inc(n);
  }
  /** `set` of the unlabeled series. */
  set(total: number): void {
    (this.labels as () => CounterChild)().set(total);
  }
}

/** A gauge family: `labels(...)` gives a {@link GaugeChild}; without labels use it directly. */
export class Gauge<L extends readonly string[] = []> extends Family<L, GaugeChild> {
  readonly type = "gauge";
  protected create(labelText: string): GaugeChild {
    return new GaugeSeries(labelText);
  }
  /** `set` of the unlabeled series. */
  set(value: number): void {
    (this.labels as () => GaugeChild)().set(value);
  }
  /** `inc` of the unlabeled series. */
  inc(n = 1): void {
    (this.labels as () => GaugeChild)().inc(n);
  }
  /** `dec` of the unlabeled series. */
  dec(n = 1): void {
    (this.labels as () => GaugeChild)().dec(n);
  }
}

/** A histogram family with fixed buckets: `labels(...)` gives a {@link HistogramChild}. */
export class Histogram<L extends readonly string[] = []> extends Family<L, HistogramChild> {
  readonly type = "histogram";
  /** The finite upper bounds, increasing. */
  readonly buckets: readonly number[];
  constructor(options: HistogramOptions<L>) {
    super(options);
    assert(!this.labelNames.includes("le"), `a histogram cannot have an "le" label`);
    for (let i = 0; i < options.buckets.length; i++) {
      const b = options.buckets[i]!;
      assert(Number.isFinite(b), `bucket bounds are finite (+Inf is implied), got ${b}`);
      assert(i === 0 || b > options.buckets[i - 1]!, "bucket bounds must increase");
    }
    this.buckets = Object.freeze([...options.buckets]);
  }
  protected create(labelText: string): HistogramChild {
    return new HistogramSeries(labelText, this.buckets);
  }
  /** `observe` of the unlabeled series. */
  observe(value: number): void {
    (this.labels as () => HistogramChild)().observe(value);
  }
}

type AnyFamily =
  | Counter<readonly string[]>
  | Gauge<readonly string[]>
  | Histogram<
    readonly string[]
  >;

/** Holds metric families and writes them in the Prometheus text format. */
export class MetricsRegistry {
  readonly #families: AnyFamily[] = [];
  readonly #names = new Set<string>();
  readonly #collectors: (() => void)[] = [];

  /** Registers a counter. Names are unique in a registry. */
  counter<const L extends readonly string[] = []>(options: MetricOptions<L>): Counter<L> {
    return this.#register(new Counter<L>(options));
  }

  /** Registers a gauge. */
  gauge<const L extends readonly string[] = []>(options: MetricOptions<L>): Gauge<L> {
    return this.#register(new Gauge<L>(options));
  }

  /** Registers a histogram. */
  histogram<const L extends readonly string[] = []>(options: HistogramOptions<L>): Histogram<L> {
    return this.#register(new Histogram<L>(options));
  }

  /** Runs `fn` at the start of every {@link expose}: the place to copy values kept elsewhere. */
  onCollect(fn: () => void): void {
    this.#collectors.push(fn);
  }

  #register<F extends AnyFamily>(family: F): F {
    const n = family.name;
    const taken = [n, `${n}_bucket`, `${n}_sum`, `${n}_count`].find((x) => this.#names.has(x));
    assert(taken === undefined, `metric name ${n} is already registered`);
    this.#names.add(n);
    if (family.type === "histogram") {
      for (const s of ["_bucket", "_sum", "_count"]) this.#names.add(n + s);
    }
    // an unlabeled family has its one series from the start: it reads 0, not missing
    if (family.labelNames.length === 0) (family.labels as () => unknown)();
    this.#families.push(family);
    return family;
  }

  /** Every family in the text exposition format 0.0.4, after running the collectors. */
  expose(): string {
    for (const fn of this.#collectors) fn();
    const out: string[] = [];
    for (const f of this.#families) {
      out.push(`# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`);
      if (f instanceof Histogram) {
        const les = [...f.buckets.map(formatNumber), "+Inf"];
        for (const child of f.children as HistogramSeries[]) {
          const l = child.labelText;
          const sep = l === "" ? "" : ",";
          let cumulative = 0;
          for (let i = 0; i < les.length; i++) {
            cumulative += child.counts[i]!;
            out.push(`${f.name}_bucket{${l}${sep}le="${les[i]}"} ${formatNumber(cumulative)}\n`);
          }
          const braces = l === "" ? "" : `{${l}}`;
          out.push(`${f.name}_sum${braces} ${formatNumber(child.sum)}\n`);
          out.push(`${f.name}_count${braces} ${formatNumber(child.count)}\n`);
        }
      } else {
        for (const child of f.children as (CounterSeries | GaugeSeries)[]) {
          const braces = child.labelText === "" ? "" : `{${child.labelText}}`;
          out.push(`${f.name}${braces} ${formatNumber(child.value)}\n`);
        }
      }
    }
    return out.join("");
  }
}

function labelText(names: readonly string[], values: readonly string[]): string {
  return names.map((n, i) => `${n}="${escapeLabelValue(values[i]!)}"`).join(",");
}

/** A label value with `\`, `"` and newlines escaped, as the text format requires. */
export function escapeLabelValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

/** A HELP text with `\` and newlines escaped. */
export function escapeHelp(help: string): string {
  return help.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

/** A sample value: `NaN`, `+Inf`, `-Inf`, or the shortest decimal that reads back the same. */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}
