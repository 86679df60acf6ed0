import assert from "node:assert/strict";
import fc from "fast-check";
import { MemoryFileSystem, realEnv, SeededRandom } from "../../core/env/mod.ts";
import type { Wal } from "../../core/plugin/wal.ts";
import { fileWalPlugin } from "./log_file.ts";

type Action =
  | { readonly kind: "append"; readonly writers: number; readonly size: number }
  | { readonly kind: "truncate"; readonly at: number }
  | {
    readonly kind: "crash";
    readonly tear: boolean;
    readonly seed: number;
    readonly inflight: number;
    readonly ticks: number;
  }
  | { readonly kind: "reopen" };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      writers: fc.integer({ min: 1, max: 6 }),
      size: fc.integer({ min: 0, max: 90 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("truncate" as const),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("crash" as const),
      tear: fc.boolean(),
      seed: fc.integer({ min: 1, max: 1_000_000 }),
      inflight: fc.integer({ min: 0, max: 4 }),
      ticks: fc.integer({ min: 0, max: 12 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "reopen" as const }) },
);

const payloadFor = (lsn: bigint, size: number) => {
  const text = `${lsn};`.padEnd(Math.max(size, 8), "x");
  return new TextEncoder().encode(text);
};

const segmentBytesMax = 160;

Deno.test("WAL property: after appends, rotations, truncations and torn crashes, replay is exactly the acknowledged records above the truncation point", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 40 }), async (actions) => {
      const fs = new MemoryFileSystem();
      let truncated = 0n;
      const open = () =>
        fileWalPlugin.open({
          env: { ...realEnv(), fs },
          dir: "/w",
          log: () => {},
          segmentBytesMax,
          nextLsnMin: truncated + 1n,
        });
      let wal: Wal = await open();
      /** LSNs on disk above `truncated`, in order: acknowledged ones, plus survivors of crashes. */
      let expected: bigint[] = [];

      const check = async (unacked: ReadonlySet<bigint>) => {
        const got: bigint[] = [];
        for await (const e of wal.replay(truncated)) {
          const text = new TextDecoder().decode(e.payload);
          assert.equal(
            text.slice(0, text.indexOf(";")),
            String(e.lsn),
            "payload belongs to its LSN",
          );
          got.push(e.lsn);
        }
        for (let i = 1; i < got.length; i++) {
          assert.ok(got[i]! > got[i - 1]!, "in order, no duplicates");
        }
        const acked = new Set(expected);
        for (const lsn of expected) {
          assert.ok(got.includes(lsn), `acknowledged LSN ${lsn} was lost`);
        }
        for (const lsn of got) {
          assert.ok(acked.has(lsn) || unacked.has(lsn), `LSN ${lsn} was never appended`);
        }
        expected = got;
      };

      for (const a of actions) {
        if (a.kind === "append") {
          const calls = Array.from({ length: a.writers }, () => {
            const lsn = wal.lastLsn() + 1n;
            return wal.append([{ type: 1, payload: payloadFor(lsn, a.size) }]);
          });
          for (const r of await Promise.all(calls)) expected.push(r.lsn);
        } else if (a.kind === "truncate") {
          const lsn = expected[Math.floor(a.at * (expected.length - 1))] ?? truncated;
          await wal.truncateThrough(lsn);
          if (lsn > truncated) truncated = lsn;
          expected = expected.filter((x) => x > truncated);
        } else if (a.kind === "crash") {
          const unacked = new Set<bigint>();
          const inflight = Array.from({ length: a.inflight }, () => {
            const lsn = wal.lastLsn() + 1n;
            unacked.add(lsn);
            return wal.append([{ type: 1, payload: payloadFor(lsn, 40) }]).then(
              (r) => r.lsn,
              () => null,
            );
          });
          for (let i = 0; i < a.ticks; i++) await Promise.resolve();
          const random = new SeededRandom(a.seed);
          fs.crash({ tear: a.tear, random: () => random.nextFloat() });
          // appends that resolved before the crash were acknowledged
          const settled = await Promise.all(inflight);
          for (const lsn of settled) if (lsn !== null) expected.push(lsn);
          await wal.close().catch(() => {});
          wal = await open();
          await check(unacked);
        } else {
          await wal.close();
          wal = await open();
          await check(new Set());
        }
      }
      await wal.close();
      wal = await open();
      await check(new Set());
      await wal.close();
    }),
    { numRuns: 150 },
  );
});
