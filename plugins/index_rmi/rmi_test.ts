import assert from "node:assert/strict";
import fc from "fast-check";
import { generateTimestamps } from "../../tests/data/timestamps.ts";
import { PluginRegistry } from "../../core/plugin/mod.ts";
import { defaultPlugins } from "../mod.ts";
import { buildRmi, lowerBound, RmiIndex, rmiLeafCountDefault, upperBound } from "./mod.ts";

/** Number of keys `< q`, by counting: the oracle. */
function bruteLower(keys: Float64Array, q: number): number {
  let c = 0;
  for (const k of keys) if (k < q) c++;
  return c;
}

/** Number of keys `<= q`, by counting. */
function bruteUpper(keys: Float64Array, q: number): number {
  let c = 0;
  for (const k of keys) if (k <= q) c++;
  return c;
}

/** The widest search window of any leaf, in positions. */
function maxWindow(rmi: RmiIndex): number {
  const b = rmi.model.leafBounds;
  let max = 0;
  for (let j = 0; j < b.length; j += 4) max = Math.max(max, b[j + 3]! - b[j + 2]!);
  return max;
}

/** Most queries checked per case (each costs a brute-force count over the keys). */
const queriesPerCaseMax = 500;

/**
 * Queries that matter: below the smallest key, above the largest, every key, its neighbours a
 * microsecond and half a microsecond away, the next doubles, midpoints between keys, infinities;
 * sampled down to {@link queriesPerCaseMax} with `pick`.
 */
function queriesFor(keys: Float64Array, pick: number): number[] {
  const qs = [-Infinity, Infinity, 0, -1, 1.7e15];
  if (keys.length > 0) {
    const min = keys[0]!;
    const max = keys[keys.length - 1]!;
    qs.push(min - 1, min - 1e9, max + 1, max + 1e9, min / 2, max * 2);
  }
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    qs.push(k, k - 1, k + 1, k - 0.5, k + 0.5, nextUp(k), nextDown(k));
    if (i > 0) qs.push(keys[i - 1]! + (k - keys[i - 1]!) / 2);
  }
  if (qs.length <= queriesPerCaseMax) return qs;
  const out = qs.slice(0, 11);
  for (let i = 0; out.length < queriesPerCaseMax; i++) {
    out.push(qs[(pick + i * 7919) % qs.length]!);
  }
  return out;
}

const f64 = new Float64Array(1);
const u64 = new BigInt64Array(f64.buffer);
/** The next double above a finite `x` (towards +infinity). */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  u64[0]! += x > 0 ? 1n : -1n;
  return f64[0]!;
}
/** The next double below a finite `x`. */
function nextDown(x: number): number {
  return -nextUp(-x);
}

const sorted = (xs: number[]) => Float64Array.from(xs).sort();

/** Realistic and adversarial sorted key sets; each case also carries an optional leaf count. */
const keySets = fc.oneof(
  // perfect 10 s grid, anywhere up to 2^53 µs
  fc.record({ count: fc.integer({ min: 1, max: 3000 }), seed: fc.integer(), start: fc.nat() })
    .map(({ count, seed, start }) =>
      generateTimestamps({
        count,
        seed,
        startUs: start * 4_000_000,
        jitterFraction: 0,
        gapChance: 0,
        burstChance: 0,
      })
    ),
  // jittered grid (above 0.5 the jitter reorders keys, which are then sorted)
  fc.record({
    count: fc.integer({ min: 1, max: 3000 }),
    seed: fc.integer(),
    jitterFraction: fc.double({ min: 0, max: 0.9, noNaN: true }),
  }).map((o) => generateTimestamps({ ...o, gapChance: 0, burstChance: 0 })),
  // gaps: missing hours
  fc.record({
    count: fc.integer({ min: 1, max: 3000 }),
    seed: fc.integer(),
    gapChance: fc.double({ min: 0.001, max: 0.3, noNaN: true }),
    gapUsMax: fc.constantFrom(3600e6, 86400e6, 30 * 86400e6),
  }).map((o) => generateTimestamps({ ...o, burstChance: 0 })),
  // bursts: many keys within microseconds (0 or 1 µs apart: duplicates too)
  fc.record({
    count: fc.integer({ min: 1, max: 3000 }),
    seed: fc.integer(),
    burstChance: fc.double({ min: 0.001, max: 0.3, noNaN: true }),
    burstKeysMax: fc.integer({ min: 1, max: 1000 }),
    gapChance: fc.constantFrom(0, 0.01),
  }).map((o) => generateTimestamps(o)),
  // many duplicates
  fc.tuple(
    fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 1500 }),
    fc.constantFrom(1, 1_000_000),
  ).map(([xs, scale]) => sorted(xs.map((x) => 1.7e15 + x * scale))),
  // single key, two keys, all-equal keys, no keys
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((k) => Float64Array.of(k)),
  fc.tuple(
    fc.double({ noNaN: true, min: -1e300, max: 1e300 }),
    fc.double({ noNaN: true, min: 0, max: 1e9 }),
  )
    .map(([a, d]) => Float64Array.of(a, a + d)),
  fc.tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 1, max: 500 }))
    .map(([k, count]) => new Float64Array(count).fill(k)),
  fc.constant(new Float64Array(0)),
  // arbitrary doubles: negative, subnormal, -0, huge
  fc.array(fc.double({ noNaN: true, min: -1e300, max: 1e300 }), { maxLength: 400 }).map(sorted),
);

const cases = fc.record({
  keys: keySets,
  leafCount: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
  pick: fc.nat(),
});

function build(keys: Float64Array, leafCount: number | undefined): RmiIndex {
  return leafCount === undefined ? buildRmi(keys) : buildRmi(keys, { leafCount });
}

Deno.test("rmi: lowerBound and upperBound equal brute force for every query", () => {
  fc.assert(
    fc.property(cases, ({ keys, leafCount, pick }) => {
      const rmi = build(keys, leafCount);
      for (const q of queriesFor(keys, pick)) {
        const lb = bruteLower(keys, q);
        const ub = bruteUpper(keys, q);
        assert.equal(rmi.lowerBound(keys, q), lb, `lowerBound(${q})`);
        assert.equal(rmi.upperBound(keys, q), ub, `upperBound(${q})`);
        assert.equal(lowerBound(keys, q), lb, `baseline lowerBound(${q})`);
        assert.equal(upperBound(keys, q), ub, `baseline upperBound(${q})`);
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("rmi: lookupRange holds every key in [low, high], within one window of exact", () => {
  fc.assert(
    fc.property(cases, fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 40 }), (c, pairs) => {
      const { keys, leafCount, pick } = c;
      const rmi = build(keys, leafCount);
      const loaded = RmiIndex.deserialize(rmi.serialize());
      const qs = queriesFor(keys, pick);
      const slack = maxWindow(rmi);
      for (const [a, b] of pairs) {
        const low = qs[a % qs.length]!;
        const high = qs[b % qs.length]!;
        const { start, end } = rmi.lookupRange(low, high);
        assert.ok(0 <= start && start <= end && end <= keys.length, `[${start}, ${end})`);
        assert.deepEqual(loaded.lookupRange(low, high), { start, end }, "same after round trip");
        if (low > high) continue;
        const lb = bruteLower(keys, low);
        const ub = bruteUpper(keys, high);
        assert.ok(start <= lb && end >= ub, `[${start}, ${end}) holds [${lb}, ${ub})`);
        assert.ok(lb - start <= slack && end - ub <= slack, "no wider than a window");
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("rmi: a bound one position too tight is caught by the oracle", () => {
  // Shows the property tests can fail: shrink every leaf's errHi by one and some upper bound
  // (the run that set errHi) comes out wrong.
  const keys = generateTimestamps({ count: 2000, seed: 1, burstChance: 0.05 });
  const good = buildRmi(keys);
  const leafBounds = good.model.leafBounds.slice();
  for (let j = 0; j < leafBounds.length; j += 4) leafBounds[j + 3]!--;
  const bad = new RmiIndex({ ...good.model, leafBounds });
  let wrong = 0;
  for (const q of keys) if (bad.upperBound(keys, q) !== bruteUpper(keys, q)) wrong++;
  assert.ok(wrong > 0);
  for (const q of keys) assert.equal(good.upperBound(keys, q), bruteUpper(keys, q));
});

Deno.test("rmi: NaN, infinities and disorder in the keys are a RangeError", () => {
  assert.throws(() => buildRmi(Float64Array.of(1, NaN, 3)), RangeError);
  assert.throws(() => buildRmi(Float64Array.of(1, Infinity)), RangeError);
  assert.throws(() => buildRmi(Float64Array.of(2, 1)), RangeError);
  assert.throws(() => buildRmi(Float64Array.of(-1e308, 1e308)), RangeError);
  assert.throws(() => buildRmi(Float64Array.of(1), { leafCount: 0 }), RangeError);
  assert.throws(() => buildRmi(Float64Array.of(1), { leafCount: 1.5 }), RangeError);
  const keys = Float64Array.of(1, 2);
  assert.throws(() => buildRmi(keys).lowerBound(keys, NaN), RangeError);
  assert.deepEqual(buildRmi(keys).lookupRange(NaN, 2), { start: 0, end: 0 });
});

Deno.test("rmi: size, leaf count and max error on a realistic segment", () => {
  const keys = generateTimestamps({ count: 100_000, seed: 42 });
  const rmi = buildRmi(keys);
  assert.equal(rmi.leafCount, rmiLeafCountDefault(100_000));
  assert.equal(rmi.sizeBytes, rmi.leafCount * 40);
  // A burst of up to 2,000 keys within microseconds lands in one leaf: no line fits that step,
  // so the bound is the leaf's size, not the keys per leaf on average.
  const b = rmi.model.leafBounds;
  let largestLeaf = 0;
  for (let j = 0; j < b.length; j += 4) largestLeaf = Math.max(largestLeaf, b[j + 1]! - b[j]!);
  assert.ok(rmi.maxError >= 1 && rmi.maxError <= largestLeaf, `max error ${rmi.maxError}`);
});

Deno.test("rmi: registered as a default index plugin named rmi", () => {
  const registry = new PluginRegistry();
  for (const p of defaultPlugins) registry.use(p);
  const plugin = registry.index("rmi");
  assert.ok(plugin !== null && plugin.name === "rmi");
  const keys = generateTimestamps({ count: 5000, seed: 3 });
  const index = plugin.deserialize(plugin.build(keys).serialize());
  const { start, end } = index.lookupRange(keys[100]!, keys[200]!);
  assert.ok(start <= 100 && end >= 201);
});
