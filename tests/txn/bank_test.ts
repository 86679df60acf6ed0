import assert from "node:assert/strict";
import { Database } from "../../mod.ts";
import { type BankStats, initialBalance, runBank, summary, totals } from "./bank.ts";

const small = { sessions: 20, accounts: 100, transfers: 500, readers: 2, seed: 20240101 } as const;

/** Every transfer committed, none abandoned, no violation, error or stall. */
function assertClean(stats: BankStats): void {
  assert.deepEqual(stats.errors, []);
  assert.deepEqual(stats.violationSamples, []);
  assert.equal(stats.violations, 0);
  assert.equal(stats.stalled, false, "the run stalled (a hang)");
  assert.equal(stats.transfersAbandoned, 0);
  assert.equal(stats.transfersCommitted, small.transfers);
  assert.ok(stats.checks > 1, "the readers checked the invariant while transfers ran");
}

Deno.test("bank: 20 sessions, 500 transfers among 100 accounts in memory keep the total", async () => {
  const db = await Database.open({ memory: true });
  try {
    const stats = await runBank({ db, ...small, stallMs: 10_000 });
    console.log(`bank memory: ${summary(stats)}`);
    assertClean(stats);
  } finally {
    await db.close();
  }
});

Deno.test("bank: the same on a durable directory, and the total is still there after a reopen", async () => {
  const path = await Deno.makeTempDir({ prefix: "omendb-bank-test-" });
  try {
    const stats = await runBank({ path, ...small, stallMs: 10_000 });
    console.log(`bank durable: ${summary(stats)}`);
    assertClean(stats);
    const db = await Database.open({ path });
    try {
      assert.deepEqual(await totals((sql) => db.query(sql)), {
        sum: BigInt(small.accounts * initialBalance),
        count: BigInt(small.accounts),
      });
    } finally {
      await db.close();
    }
  } finally {
    await Deno.remove(path, { recursive: true });
  }
});
