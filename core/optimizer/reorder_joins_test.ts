import assert from "node:assert/strict";
import fc from "fast-check";
import { exhaustiveOrder, greedyOrder } from "./reorder_joins.ts";

type Links = { leaves: Set<number> }[];

/** Total estimated intermediate rows of a left-deep order, cross products penalised (C_out). */
function cost(rows: readonly number[], links: Links, order: readonly number[]): number {
  let total = 0;
  const inSet = new Set<number>([order[0]!]);
  for (const next of order.slice(1)) {
    const linked = links.some((l) =>
      l.leaves.has(next) && [...l.leaves].every((x) => x === next || inSet.has(x)) &&
      [...l.leaves].some((x) => inSet.has(x))
    );
    inSet.add(next);
    let card = 1;
    for (const i of inSet) card *= rows[i]!;
    for (const l of links) if ([...l.leaves].every((x) => inSet.has(x))) card *= 0.1;
    total += Math.max(1, card) * (linked ? 1 : 1e6);
  }
  return total;
}

Deno.test("exhaustive join order is a permutation and never costs more than greedy", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 2, maxLength: 8 }),
      fc.array(fc.tuple(fc.nat(7), fc.nat(7)), { maxLength: 12 }),
      (rows, pairs) => {
        const n = rows.length;
        const links = pairs
          .map(([a, b]) => ({ leaves: new Set([a % n, b % n]) }))
          .filter((l) => l.leaves.size === 2);
        const leaves = rows.map((r) => ({ rows: r }));
        const dp = exhaustiveOrder(leaves, links);
        assert.deepEqual([...dp].sort((a, b) => a - b), rows.map((_, i) => i));
        const greedy = greedyOrder(leaves, links);
        const dpCost = cost(rows, links, dp);
        assert.ok(dpCost <= cost(rows, links, greedy) * (1 + 1e-9), `${dp} vs ${greedy}`);
      },
    ),
    { seed: 7, numRuns: 300 },
  );
});

Deno.test("exhaustive order avoids cross products along a chain", () => {
  // A(1000) - B(10) - C(1000) - D(10): every prefix must stay connected
  const leaves = [{ rows: 1000 }, { rows: 10 }, { rows: 1000 }, { rows: 10 }];
  const links = [[0, 1], [1, 2], [2, 3]].map((p) => ({ leaves: new Set(p) }));
  const order = exhaustiveOrder(leaves, links);
  for (let k = 1; k < order.length; k++) {
    const prefix = new Set(order.slice(0, k));
    assert.ok(
      links.some((l) => l.leaves.has(order[k]!) && [...l.leaves].some((x) => prefix.has(x))),
      `step ${k} of ${order} is a cross product`,
    );
  }
});
