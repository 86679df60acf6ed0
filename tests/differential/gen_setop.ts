/**
 * Set operations: UNION, INTERSECT and EXCEPT, with or without ALL, over two or three SELECTs of
 * the same column types (possibly nested with parentheses), with an optional ORDER BY (by
 * ordinal) and LIMIT on the result.
 *
 * @module
 */

import fc from "fast-check";
import type { OrderSpec } from "./compare.ts";
import { dataFeatures, limitMax, type QueryGenerator, type QueryScope } from "./gen_select.ts";
import { type GeneratedQuery, type SqlType, sqlTypes, type TableDef } from "./sql_case.ts";

/** Columns per set-operation branch, at most. */
export const setColumnsMax = 3;

const setOps = ["UNION", "UNION ALL", "INTERSECT", "INTERSECT ALL", "EXCEPT", "EXCEPT ALL"];

interface Branch {
  readonly sql: string;
  readonly features: readonly string[];
}

/** SELECT [DISTINCT] exprs of the given types FROM a table [WHERE]. */
function branch(scope: QueryScope, types: readonly SqlType[]): fc.Arbitrary<Branch> {
  return fc.constantFrom(...scope.tables).chain((t: TableDef) => {
    const ex = scope.exprs(t.columns);
    return fc.tuple(
      fc.tuple(...types.map((ty) => ex[ty])),
      fc.option(ex.bool, { freq: 2, nil: null }),
      fc.nat({ max: 4 }),
    ).map(([items, where, d]) => ({
      sql: `SELECT ${d === 0 ? "DISTINCT " : ""}${
        items.map((x, i) => `${x.sql} AS r${i}`).join(", ")
      } FROM ${t.name}${where === null ? "" : ` WHERE ${where.sql}`}`,
      features: [
        ...items.flatMap((x) => x.features),
        ...(where?.features ?? []),
        ...dataFeatures(t),
        ...(d === 0 ? ["distinct"] : []),
        ...(where === null ? [] : ["where"]),
      ],
    }));
  });
}

/** b1 op b2, or (b1 op b2) op b3, or b1 op (b2 op b3), [ORDER BY ordinals [LIMIT]]. */
export const setOperationGenerator: QueryGenerator = {
  feature: "setop",
  weight: 3,
  build: (scope) =>
    fc.array(fc.constantFrom(...sqlTypes), { minLength: 1, maxLength: setColumnsMax }).chain(
      (types) =>
        fc.tuple(
          fc.array(branch(scope, types), { minLength: 2, maxLength: 3 }),
          fc.array(fc.constantFrom(...setOps), { minLength: 2, maxLength: 2 }),
          fc.boolean(),
          fc.option(fc.nat({ max: limitMax }), { freq: 2, nil: null }),
          fc.boolean(),
        ).map(([bs, ops, leftNested, limit, ordered]): GeneratedQuery => {
          const [b1, b2, b3] = bs;
          const [op1, op2] = ops;
          if (b1 === undefined || b2 === undefined || op1 === undefined || op2 === undefined) {
            throw new Error("set operation needs two branches and two operators");
          }
          let sql: string;
          const used = [op1];
          if (b3 === undefined) sql = `(${b1.sql}) ${op1} (${b2.sql})`;
          else {
            used.push(op2);
            sql = leftNested
              ? `((${b1.sql}) ${op1} (${b2.sql})) ${op2} (${b3.sql})`
              : `(${b1.sql}) ${op1} ((${b2.sql}) ${op2} (${b3.sql}))`;
          }
          const features = new Set<string>(["select", "from", "setop"]);
          for (const b of bs) for (const f of b.features) features.add(f);
          for (const op of used) features.add(`setop.${op.toLowerCase().replace(" ", "_")}`);
          if (b3 !== undefined) features.add("setop.nested");
          let order: OrderSpec | null = null;
          if (ordered) {
            const keys = types.map((_, i) => i);
            sql += ` ORDER BY ${keys.map((i) => `${i + 1}`).join(", ")}`;
            features.add("order_by");
            if (limit !== null) {
              sql += ` LIMIT ${limit}`;
              features.add("limit");
            }
            order = { keyColumns: keys, limited: limit !== null, offset: false };
          }
          return { sql, features: [...features].sort(), order };
        }),
    ),
};
