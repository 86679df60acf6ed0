import assert from "node:assert/strict";
import { withParamValues } from "./scan_params.ts";
import { ExecContext } from "./context.ts";
import { defaultLimits } from "../limits.ts";
import { Types } from "../types/mod.ts";
import type { BoundExpr } from "../plan/expr.ts";
import type { Value } from "../types/column.ts";

import { systemClock as clock } from "../env/clock.ts";
const ctx = (params: Value[]) => new ExecContext(clock, defaultLimits, params, null, 0);
const host: BoundExpr = { kind: "column", index: 0, type: Types.text };
const time: BoundExpr = { kind: "column", index: 1, type: Types.timestamptz };
const p1: BoundExpr = { kind: "param", index: 1, type: Types.text };
const p2: BoundExpr = {
  kind: "cast",
  operand: { kind: "param", index: 2, type: Types.text },
  type: Types.timestamptz,
};
const op = (o: "eq" | "ge", left: BoundExpr, right: BoundExpr): BoundExpr => ({
  kind: "op",
  op: o,
  left,
  right,
  type: Types.bool,
});

Deno.test("withParamValues: column <op> $n and casts of $n become constants, inside AND too", () => {
  const both: BoundExpr = {
    ...op("eq", host, p1),
    op: "and",
    left: op("eq", host, p1),
    right: op("ge", p2, time),
  } as BoundExpr;
  const [a, b] = withParamValues([op("eq", host, p1), both], ctx(["h1", "2016-01-01T00:00:00Z"]));
  assert.deepEqual(a, op("eq", host, { kind: "const", value: "h1", type: Types.text }));
  const at = Date.UTC(2016, 0, 1) * 1000;
  assert.deepEqual(
    b,
    {
      ...both,
      left: op("eq", host, { kind: "const", value: "h1", type: Types.text }),
      right: op("ge", { kind: "const", value: at, type: Types.timestamptz }, time),
    },
  );
});

Deno.test("withParamValues: a value that fails its cast leaves the conjunct; no parameters, no copies", () => {
  const f = op("ge", time, p2);
  assert.equal(withParamValues([f], ctx(["h", "not a time"]))[0], f);
  const filters = [op("eq", host, { kind: "const", value: "x", type: Types.text })];
  assert.equal(withParamValues(filters, ctx([])), filters);
});
