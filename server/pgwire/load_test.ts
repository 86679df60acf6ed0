/**
 * Many concurrent connections, each running queries, up to the connection limit; one more is
 * refused with 53300 while the others keep being served. 200 connections in the default run;
 * `deno task load:pg` runs 1,000 (OMENDB_PG_LOAD_CONNECTIONS).
 */
import assert from "node:assert/strict";
import pg from "pg";
import { Database } from "../../mod.ts";
import { PgServer } from "./mod.ts";

interface PgClient {
  connect(): Promise<void>;
  end(): Promise<void>;
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  on(event: string, fn: (e: unknown) => void): void;
}
const Client = (pg as unknown as { Client: new (c: Record<string, unknown>) => PgClient }).Client;

const connections = Number(Deno.env.get("OMENDB_PG_LOAD_CONNECTIONS") ?? "200");
/** Connections opened at once while ramping up (the listen backlog is finite). */
const connectBatch = 100;

Deno.test(`pgwire load: ${connections} concurrent connections, connection ${connections + 1} refused (53300)`, async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE TABLE l (c INTEGER, i INTEGER)");
  const server = await PgServer.listen({
    db,
    host: "127.0.0.1",
    port: 0,
    maxConnections: connections,
  });
  const clients: PgClient[] = [];
  const config = { host: "127.0.0.1", port: server.port, user: "omendb", database: "omendb" };
  try {
    for (let i = 0; i < connections; i += connectBatch) {
      const batch = Array.from({ length: Math.min(connectBatch, connections - i) }, () => {
        const c = new Client(config);
        c.on("error", () => {});
        return c;
      });
      await Promise.all(batch.map((c) => c.connect()));
      clients.push(...batch);
    }
    assert.equal(server.connectionCount, connections);
    const extra = new Client(config);
    extra.on("error", () => {});
    const refused = await extra.connect().then(() => "connected", (e) => e.code);
    assert.equal(refused, "53300");
    // every connection runs queries concurrently: a write and a read each
    await Promise.all(clients.map(async (c, i) => {
      await c.query("INSERT INTO l VALUES ($1, $2)", [i, i * 2]);
      const r = await c.query("SELECT i FROM l WHERE c = $1", [i]);
      assert.deepEqual(r.rows, [{ i: i * 2 }]);
    }));
    const total = await clients[0]!.query("SELECT count(*)::int AS n FROM l");
    assert.deepEqual(total.rows, [{ n: connections }]);
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await server.close({ graceMs: 2000 });
    await db.close();
  }
  assert.equal(server.connectionCount, 0);
});
