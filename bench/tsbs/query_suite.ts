/**
 * Runs the query workloads of the peer suite: one engine at a time, it loads the TSBS cpu data
 * (untimed), checks every query's answer on every parameter set against the reference engine
 * (OmenDB embedded when it is measured, else the first engine that runs), then times the query:
 * `warmup` runs discarded, then up to `repeat` timed runs cycling over the parameter sets (cut
 * short after {@link QuerySuiteOptions.timedBudgetMs} once {@link timedRunsMin} runs are in),
 * every answer read fully into JS values. An engine whose answer differs is not timed for that
 * query, and the query's workload fails with the first differing row.
 *
 * The queries share one pass per data set: the first query workload that runs loads each
 * engine once and measures every selected query, later ones take their records from it.
 *
 * @example
 * ```ts
 * import { QuerySuite } from "./query_suite.ts";
 * import { duckDbProvider } from "./engines/duckdb.ts";
 * const suite = new QuerySuite({ providers: [duckDbProvider] });
 * suite.select(["point"]);
 * const dir = await Deno.makeTempDir();
 * const records = await suite.workload("point")({
 *   rows: 500, hosts: 10, quick: true, repeat: 2, warmup: 0, workDir: dir,
 *   engines: ["duckdb"], log: () => {},
 * });
 * console.assert(records.length === 1 && records[0]!.n === 2);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
import { type Cell, compareAnswers, normalizeRows } from "./answers.ts";
import { median, nearestRank } from "../stats.ts";
import {
  cpuDataWindow,
  type QueryParams,
  queryParamSets,
  queryParamSetsDefault,
  type QuerySpec,
  querySpecs,
} from "./queries.ts";
import type { BenchRecord, EngineName, Workload, WorkloadContext } from "./record.ts";
import type { EngineProvider, QueryEngine } from "./engines/engine.ts";
import { omenDbProvider } from "./engines/omendb.ts";
import { omenDbServerProvider } from "./engines/omendb_server.ts";
import { duckDbProvider } from "./engines/duckdb.ts";
import { sqliteProvider } from "./engines/sqlite.ts";
import { influxDbProvider } from "./engines/influxdb.ts";

/** The providers in run order: OmenDB embedded first (the reference), then the rest. */
export const defaultProviders: readonly EngineProvider[] = [
  omenDbProvider,
  omenDbServerProvider,
  duckDbProvider,
  sqliteProvider,
  influxDbProvider,
];
/** Fewest timed runs per query and engine, even past the time budget. */
export const timedRunsMin = 3;
/** Time budget of the timed runs of one query on one engine in a quick run, milliseconds. */
export const timedBudgetMsQuick = 1_000;
/** Parameter sets per query in a quick run (a full run takes {@link queryParamSetsDefault}). */
export const queryParamSetsQuick = 3;
/** Time budget of the timed runs of one query on one engine in a full run, milliseconds. */
export const timedBudgetMsFull = 10_000;
/**
 * When one answer-check run of a query took longer than this (ms), the check runs count as its
 * warm-up and no further warm-up runs are made.
 */
export const warmupSkipRunMs = 1_000;
/** Seed of the parameter sets. */
export const queryParamSeedDefault = 20_261_126;

/** Options of a {@link QuerySuite}. */
export interface QuerySuiteOptions {
  /** Engine providers, in run order (default {@link defaultProviders}). */
  readonly providers?: readonly EngineProvider[];
  /**
   * Parameter sets per query (default {@link queryParamSetsDefault}, {@link queryParamSetsQuick}
   * when `ctx.quick`).
   */
  readonly paramSets?: number;
  /** Seed of the parameter sets (default {@link queryParamSeedDefault}). */
  readonly seed?: number;
  /** Budget of one query's timed runs on one engine, ms (default by `ctx.quick`). */
  readonly timedBudgetMs?: number;
}

/** What the answer check found for one query on one engine. */
export interface AnswerCheck {
  /** The engine checked. */
  readonly engine: EngineName;
  /** The engine it was compared with (itself for the reference). */
  readonly reference: EngineName;
  /** Parameter sets compared. */
  readonly paramSets: number;
  /** Rows over all parameter sets. */
  readonly rows: number;
  /** null when equal, else the difference. */
  readonly difference: string | null;
}

/** The outcome of one query in a pass. */
export interface QueryOutcome {
  /** Latency records of the engines that passed the check. */
  readonly records: BenchRecord[];
  /** Answer checks, one per engine that answered. */
  readonly checks: AnswerCheck[];
  /** Errors and disagreements; the workload fails when there is any. */
  readonly failures: string[];
}

/** A query workload that failed; carries the records of the engines that passed. */
export class QueryCheckError extends Error {
  /** Records measured before or despite the failure. */
  readonly records: readonly BenchRecord[];
  /** Creates the error for a query's failures. */
  constructor(workload: string, failures: readonly string[], records: readonly BenchRecord[]) {
    super(`${workload}: ${failures.join("; ")}`);
    this.name = "QueryCheckError";
    this.records = records;
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The query workloads' shared passes, one per data set and settings. */
export class QuerySuite {
  readonly #providers: readonly EngineProvider[];
  readonly #paramSets: number | undefined;
  readonly #seed: number;
  readonly #budgetMs: number | undefined;
  #selected: readonly string[] | null = null;
  readonly #passes = new Map<string, Promise<Map<string, QueryOutcome>>>();

  /** A suite with the given providers and settings. */
  constructor(options: QuerySuiteOptions = {}) {
    this.#providers = options.providers ?? defaultProviders;
    this.#paramSets = options.paramSets;
    this.#seed = options.seed ?? queryParamSeedDefault;
    this.#budgetMs = options.timedBudgetMs;
  }

  /** Restricts a pass to these queries (null: all); unknown names are ignored. */
  select(names: readonly string[] | null): void {
    this.#selected = names === null
      ? null
      : querySpecs.map((q) => q.name).filter((n) => names.includes(n));
  }

  /** The workload of one query (throws {@link QueryCheckError} when an answer differs). */
  workload(name: string): Workload {
    return async (ctx) => {
      const outcome = await this.outcome(name, ctx);
      if (outcome.failures.length > 0) {
        throw new QueryCheckError(name, outcome.failures, outcome.records);
      }
      return outcome.records;
    };
  }

  /** The outcome of one query, running the pass for its data set first if needed. */
  async outcome(name: string, ctx: WorkloadContext): Promise<QueryOutcome> {
    if (!querySpecs.some((q) => q.name === name)) throw new Error(`unknown query "${name}"`);
    const names = this.#selected !== null && this.#selected.includes(name)
      ? this.#selected
      : this.#selected === null
      ? querySpecs.map((q) => q.name)
      : [name];
    const key = JSON.stringify([
      ctx.rows,
      ctx.hosts,
      ctx.repeat,
      ctx.warmup,
      ctx.quick,
      ctx.engines,
      names,
    ]);
    let pass = this.#passes.get(key);
    if (pass === undefined) {
      pass = this.#runPass(querySpecs.filter((q) => names.includes(q.name)), ctx);
      this.#passes.set(key, pass);
    }
    return (await pass).get(name)!;
  }

  async #runPass(
    specs: readonly QuerySpec[],
    ctx: WorkloadContext,
  ): Promise<Map<string, QueryOutcome>> {
    const data = cpuDataWindow(ctx.rows, ctx.hosts);
    const setCount = this.#paramSets ?? (ctx.quick ? queryParamSetsQuick : queryParamSetsDefault);
    const sets = new Map(
      specs.map((s) => [s.name, queryParamSets(s, data, setCount, this.#seed)]),
    );
    const outcomes = new Map(specs.map((s): [string, QueryOutcome] => [
      s.name,
      { records: [], checks: [], failures: [] },
    ]));
    const reference = new Map<string, { engine: EngineName; answers: Cell[][][] }>();
    const budgetMs = this.#budgetMs ?? (ctx.quick ? timedBudgetMsQuick : timedBudgetMsFull);
    ctx.log(
      `queries: ${specs.map((s) => s.name).join(", ")} on ${ctx.rows} rows, ${ctx.hosts} hosts`,
    );
    for (const provider of this.#providers) {
      const wanted = provider.engines.filter((e) => ctx.engines.includes(e));
      if (wanted.length === 0) continue;
      const dir = await Deno.makeTempDir({ dir: ctx.workDir, prefix: `${wanted[0]}-` });
      try {
        let opened;
        try {
          opened = await provider.open(
            { rows: ctx.rows, hosts: ctx.hosts, dir, log: ctx.log },
            wanted,
          );
        } catch (e) {
          for (const o of outcomes.values()) {
            o.failures.push(`${wanted.join("/")}: load failed: ${message(e)}`);
          }
          ctx.log(`${wanted.join("/")}: load failed: ${message(e)}`);
          continue;
        }
        if (opened === null) {
          ctx.log(`${wanted.join("/")}: not installed here, skipped`);
          continue;
        }
        try {
          for (const engine of opened.engines) {
            for (const spec of specs) {
              await this.#measure(
                engine,
                spec,
                sets.get(spec.name)!,
                reference,
                outcomes.get(spec.name)!,
                ctx,
                budgetMs,
              );
            }
          }
        } finally {
          await opened.close();
        }
      } finally {
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    }
    return outcomes;
  }

  async #measure(
    engine: QueryEngine,
    spec: QuerySpec,
    sets: readonly QueryParams[],
    reference: Map<string, { engine: EngineName; answers: Cell[][][] }>,
    outcome: QueryOutcome,
    ctx: WorkloadContext,
    budgetMs: number,
  ): Promise<void> {
    const kinds = spec.columns.map((c) => c.kind);
    const names = spec.columns.map((c) => c.name);
    const answers: Cell[][][] = [];
    let slowestCheckMs = 0;
    try {
      for (const p of sets) {
        const t0 = performance.now();
        const rows = await engine.run(spec, p);
        slowestCheckMs = Math.max(slowestCheckMs, performance.now() - t0);
        answers.push(normalizeRows(rows, kinds));
      }
    } catch (e) {
      outcome.failures.push(`${engine.name}: ${message(e)}`);
      ctx.log(`${spec.name} on ${engine.name}: FAILED: ${message(e)}`);
      return;
    }
    let ref = reference.get(spec.name);
    if (ref === undefined) {
      ref = { engine: engine.name, answers };
      reference.set(spec.name, ref);
    }
    const rows = answers.reduce((n, a) => n + a.length, 0);
    let difference: string | null = null;
    for (let i = 0; i < sets.length && difference === null; i++) {
      const d = compareAnswers(ref.answers[i]!, answers[i]!, names);
      if (d !== null) {
        difference = `parameter set ${i} ${JSON.stringify(sets[i])}: ${d}`;
      }
    }
    outcome.checks.push({
      engine: engine.name,
      reference: ref.engine,
      paramSets: sets.length,
      rows,
      difference,
    });
    if (difference !== null) {
      outcome.failures.push(`${engine.name} disagrees with ${ref.engine}: ${difference}`);
      ctx.log(`${spec.name} on ${engine.name}: WRONG ANSWER: ${difference}`);
      return;
    }
    const warmup = slowestCheckMs > warmupSkipRunMs ? 0 : ctx.warmup;
    for (let i = 0; i < warmup; i++) await engine.run(spec, sets[i % sets.length]!);
    const samples: number[] = [];
    const start = performance.now();
    for (let i = 0; i < ctx.repeat; i++) {
      const p = sets[(warmup + i) % sets.length]!;
      const t0 = performance.now();
      await engine.run(spec, p);
      samples.push(performance.now() - t0);
      if (samples.length >= timedRunsMin && performance.now() - start > budgetMs) break;
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const p50 = median(sorted);
    const p99 = nearestRank(sorted, 0.99);
    const notes = [
      engine.note,
      ref.engine === engine.name
        ? `reference answer: ${sets.length} parameter sets (${rows} rows)`
        : `answers checked against ${ref.engine} on ${sets.length} parameter sets (${rows} rows)`,
    ];
    if (samples.length < ctx.repeat) {
      notes.push(`stopped after ${samples.length} of ${ctx.repeat} runs (${budgetMs} ms budget)`);
    }
    if (warmup < ctx.warmup) {
      notes.push(`no warm-up runs beyond the answer check (one took over ${warmupSkipRunMs} ms)`);
    }
    if (spec.note !== undefined) notes.push(spec.note);
    outcome.records.push({
      workload: spec.name,
      engine: engine.name,
      metric: "latency",
      value: p50,
      unit: "ms",
      rows: ctx.rows,
      hosts: ctx.hosts,
      p50,
      p99,
      n: samples.length,
      note: notes.join("; "),
    });
    ctx.log(
      `${spec.name} on ${engine.name}: p50 ${p50.toPrecision(3)} ms, p99 ${
        p99.toPrecision(3)
      } ms, n ${samples.length}`,
    );
  }
}
