/**
 * generate_series(start, stop, step): streams the values in batches (never materialised).
 *
 * @module
 */
import { DbError, SqlState } from "../errors.ts";
import type { Batch } from "../types/batch.ts";
import { columnFromValues, type Value, valueAt } from "../types/column.ts";
import type { LogicalPlan } from "../plan/logical_plan.ts";
import { addDec, compareDec, formatDec, parseDec } from "../types/numeric.ts";
import { addIntervalToMicros, intervalSpan, parseInterval } from "../types/interval.ts";
import type { ExecContext } from "./context.ts";
import { evaluate } from "./eval.ts";

const unitBatch: Batch = { columns: [], length: 1 };

function zeroStep(): DbError {
  return new DbError(SqlState.invalidParameterValue, "step size cannot equal zero");
}

/** Runs a `series` plan node. */
export async function* seriesExec(
  plan: LogicalPlan & { kind: "series" },
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  const value = (e: typeof plan.start): Value => valueAt(evaluate(e, unitBatch, ctx), 0);
  const start = value(plan.start);
  const stop = value(plan.stop);
  const step = value(plan.step);
  if (start === null || stop === null || step === null) return;
  const type = plan.fields[0]!.type;
  const batchRows = ctx.limits.batchRowsMax;
  let next: () => Value | undefined;
  switch (type.kind) {
    case "int8": {
      let v = BigInt(start as bigint);
      const end = BigInt(stop as bigint);
      const s = BigInt(step as bigint);
      if (s === 0n) throw zeroStep();
      next = () => {
        if (s > 0n ? v > end : v < end) return undefined;
        const out = v;
        v += s;
        return out;
      };
      break;
    }
    case "numeric": {
      let v = parseDec(start as string);
      const end = parseDec(stop as string);
      const s = parseDec(step as string);
      const sign = compareDec(s, { v: 0n, s: 0 });
      if (sign === 0) throw zeroStep();
      next = () => {
        const c = compareDec(v, end);
        if (sign > 0 ? c > 0 : c < 0) return undefined;
        const out = formatDec(v);
        v = addDec(v, s);
        return out;
      };
      break;
    }
    case "timestamp":
    case "timestamptz": {
      let v = start as number;
      const end = stop as number;
      const iv = parseInterval(step as string);
      const span = intervalSpan(iv);
      if (span === 0) throw zeroStep();
      next = () => {
        if (span > 0 ? v > end : v < end) return undefined;
        const out = v;
        v = addIntervalToMicros(v, iv);
        return out;
      };
      break;
    }
    default: {
      let v = start as number;
      const end = stop as number;
      const s = step as number;
      if (s === 0) throw zeroStep();
      if (Number.isNaN(s) || Number.isNaN(v) || Number.isNaN(end)) {
        throw new DbError(SqlState.invalidParameterValue, "start, stop and step cannot be NaN");
      }
      next = () => {
        if (s > 0 ? v > end : v < end) return undefined;
        const out = v;
        v += s;
        return out;
      };
    }
  }
  for (;;) {
    ctx.check();
    const values: Value[] = [];
    while (values.length < batchRows) {
      const v = next();
      if (v === undefined) break;
      values.push(v);
    }
    if (values.length === 0) return;
    yield { columns: [columnFromValues(type, values)], length: values.length };
    if (values.length < batchRows) return;
  }
}
