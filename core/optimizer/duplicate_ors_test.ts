import assert from "node:assert/strict";
import type { BoundExpr } from "../plan/expr.ts";
import { Types } from "../types/mod.ts";
import { findDuplicateOrs } from "./duplicate_ors.ts";

const col = (index: number): BoundExpr => ({ kind: "column", index, type: Types.bool });
const and = (left: BoundExpr, right: BoundExpr): BoundExpr => ({
  kind: "op",
  op: "and",
  left,
  right,
  type: Types.bool,
});
const or = (left: BoundExpr, right: BoundExpr): BoundExpr => ({
  kind: "op",
  op: "or",
  left,
  right,
  type: Types.bool,
});

/** Renders columns as letters, AND as `&`, OR as `|`. */
function show(e: BoundExpr): string {
  if (e.kind === "column") return "abcdefgh"[e.index]!;
  if (e.kind === "op" && e.op === "and") return `(${show(e.left)} & ${show(e.right)})`;
  if (e.kind === "op" && e.op === "or") return `(${show(e.left)} | ${show(e.right)})`;
  throw new Error(`unexpected ${e.kind}`);
}

const [a, b, c, d, e] = [0, 1, 2, 3, 4].map(col) as [
  BoundExpr,
  BoundExpr,
  BoundExpr,
  BoundExpr,
  BoundExpr,
];

Deno.test("findDuplicateOrs pulls common conditions out of an OR, as PostgreSQL's process_duplicate_ors", () => {
  // (a & b) | (a & c) = a & (b | c)
  assert.equal(show(findDuplicateOrs(or(and(a, b), and(a, c)))), "(a & (b | c))");
  // absorption: (a & b) | a = a
  assert.equal(show(findDuplicateOrs(or(and(a, b), a))), "a");
  // the shortest arm is the reference, its order kept: (a & b & c) | (c & a) = c & a
  assert.equal(show(findDuplicateOrs(or(and(and(a, b), c), and(c, a)))), "(c & a)");
  // three arms, two winners, the rest flattened into one OR
  const three = or(or(and(and(a, b), c), and(and(c, a), d)), and(and(a, c), e));
  assert.equal(show(findDuplicateOrs(three)), "((a & c) & ((b | d) | e))");
  // inside an AND, the winners join its conjuncts in place
  assert.equal(
    show(findDuplicateOrs(and(d, or(and(a, b), and(a, c))))),
    "((d & a) & (b | c))",
  );
  // nested ORs inside an arm are processed first
  assert.equal(
    show(findDuplicateOrs(or(and(a, or(and(b, c), and(b, d))), and(a, e)))),
    "(a & ((b & (c | d)) | e))",
  );
});

Deno.test("findDuplicateOrs leaves an OR without common conditions as it is (the same object)", () => {
  const q = or(and(a, b), and(c, d));
  assert.equal(findDuplicateOrs(q), q);
  const q2 = and(e, q);
  assert.equal(findDuplicateOrs(q2), q2);
  assert.equal(findDuplicateOrs(a), a);
});
