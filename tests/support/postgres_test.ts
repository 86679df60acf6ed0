import assert from "node:assert/strict";
import { PgServerError, postgresPrereq, PostgresServer } from "./postgres.ts";
import { prereqTest } from "./prereq.ts";

const pgStatus = await postgresPrereq();

prereqTest([pgStatus], {
  name: "PostgresServer: starts on a free loopback port, answers queries, stops and cleans up",
  fn: async () => {
    const server = await PostgresServer.start();
    let stopped = false;
    try {
      assert.ok(server.port > 0);
      const r = await server.query(
        "SELECT 7 / 2 AS q, 1.5::numeric AS n, NULL::int AS z, true AS b, 'x' || 'y' AS s",
      );
      assert.equal(r.command, "SELECT");
      assert.deepEqual(r.fields.map((f) => f.dataTypeID), [23, 1700, 23, 16, 25]);
      assert.deepEqual(r.rows, [["3", "1.5", null, "t", "xy"]]);
      assert.match(
        (await server.query("SHOW server_version")).rows[0]?.[0] ?? "",
        /^15\./,
      );
      // Several statements: the last result wins; the data survives between calls.
      await server.query("CREATE TABLE t (a int8); INSERT INTO t VALUES (9223372036854775807)");
      assert.deepEqual((await server.query("SELECT a FROM t")).rows, [["9223372036854775807"]]);
      // Errors carry the SQLSTATE, and the connection stays usable after one.
      await assert.rejects(server.query("SELECT 1/0"), (e: unknown) => {
        assert.ok(e instanceof PgServerError);
        assert.equal(e.code, "22012");
        return true;
      });
      await assert.rejects(server.query("SELECT nosuch"), { code: "42703" });
      assert.deepEqual((await server.query("SELECT $1::int + 1", [41])).rows, [["42"]]);
      // Only loopback: the server is reachable on 127.0.0.1.
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
      conn.close();
      await server.stop();
      stopped = true;
      await assert.rejects(server.query("SELECT 1"), /stopped/);
      // The folder is gone and the port is closed.
      await assert.rejects(Deno.stat(server.baseDir), Deno.errors.NotFound);
      await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port: server.port }));
      await server.stop(); // idempotent
    } finally {
      if (!stopped) await server.stop();
    }
  },
});

prereqTest([pgStatus], {
  name: "PostgresServer: two servers run side by side on different ports",
  fn: async () => {
    await using a = await PostgresServer.start();
    await using b = await PostgresServer.start();
    assert.notEqual(a.port, b.port);
    await a.query("CREATE TABLE only_a (x int)");
    await assert.rejects(b.query("SELECT * FROM only_a"), { code: "42P01" });
  },
});

Deno.test("PostgresServer.start fails clearly when the binaries are missing", async () => {
  await assert.rejects(
    PostgresServer.start({ binDir: "/nonexistent/pg/bin" }),
    /apt-get install -y postgresql/,
  );
});
