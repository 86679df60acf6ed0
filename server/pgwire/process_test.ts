/**
 * The PostgreSQL port of the real `omendb serve` process: announced in the `listening` line,
 * counted in `/metrics`, and drained on SIGTERM (an idle connection gets 57P01, a busy one
 * finishes its query first).
 */
import assert from "node:assert/strict";
import pg from "pg";
import { startServerProcess } from "../_test_server.ts";

interface PgClient {
  connect(): Promise<void>;
  end(): Promise<void>;
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  on(event: string, fn: (e: unknown) => void): void;
}
const Client = (pg as unknown as { Client: new (c: Record<string, unknown>) => PgClient }).Client;

Deno.test("process: --pg-port 0 is announced, /metrics counts connections, SIGTERM drains them", async () => {
  const server = await startServerProcess(["--memory"]);
  let stopped = false;
  try {
    assert.ok(server.pgPort > 0, "the listening line names the pg port");
    const listening = server.events.find((e) => e.event === "listening")!;
    assert.equal(listening.pg, server.pgPort);
    const config = { host: "127.0.0.1", port: server.pgPort, user: "omendb", database: "omendb" };
    const idle = new Client(config);
    const busy = new Client(config);
    const idleError = new Promise<unknown>((r) => idle.on("error", r));
    busy.on("error", () => {});
    await idle.connect();
    await busy.connect();
    await idle.query("CREATE TABLE t (x INTEGER PRIMARY KEY)");
    await idle.query("INSERT INTO t VALUES (1)");
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /^omendb_pg_connections 2$/m);
    assert.match(metrics, /^omendb_pg_connections_accepted_total 2$/m);
    // the responses were followed by busy polling (pg.busy_poll_us defaults to 200 µs)
    const turns = Number(/^omendb_pg_busy_poll_turns_total (\d+)$/m.exec(metrics)?.[1]);
    assert.ok(turns > 0, `busy-poll turns counted: ${turns}`);
    // busy: waits on a row lock held by a third connection's open block
    const holder = new Client(config);
    holder.on("error", () => {});
    await holder.connect();
    await holder.query("BEGIN");
    await holder.query("UPDATE t SET x = 2 WHERE x = 1");
    const waiting = busy.query("UPDATE t SET x = 3 WHERE x = 1").then(
      () => "done",
      (e: { code?: string }) => e.code ?? "error",
    );
    await new Promise((r) => setTimeout(r, 100));
    const stopping = server.stop("SIGTERM");
    stopped = true;
    const e = await idleError as { code?: string };
    assert.equal(e.code, "57P01");
    // the holder's block ends (its connection is idle in a transaction: closed, rolled back),
    // which lets the busy statement finish before its connection closes
    assert.equal(await waiting, "done");
    const { code } = await stopping;
    assert.equal(code, 0);
    await Promise.all([idle.end(), busy.end(), holder.end()].map((p) => p.catch(() => {})));
  } finally {
    if (!stopped) await server.stop("SIGTERM");
  }
});
