/**
 * The isolation scenarios of isolation.ts on embedded OmenDB sessions (a fresh in-memory
 * database each), and the same scenarios on PostgreSQL 15 when it is installed, to show that the
 * expectations are PostgreSQL's.
 *
 * @module
 */
import { Database } from "../../mod.ts";
import { postgresPrereq, PostgresServer } from "../support/postgres.ts";
import { prereqTest } from "../support/prereq.ts";
import { openSession } from "./_session.ts";
import { connectPg } from "./_pg_session.ts";
import { scenarios } from "./isolation.ts";

Deno.test("isolation: scenarios on embedded in-memory sessions", async (t) => {
  for (const scenario of scenarios) {
    await t.step(scenario.name, async () => {
      const db = await Database.open({ memory: true });
      try {
        const outcome = await scenario.run(() => Promise.resolve(openSession(db)));
        if (outcome === "refused") console.log(`  (SERIALIZABLE refused with 0A000)`);
      } finally {
        await db.close();
      }
    });
  }
});

prereqTest([await postgresPrereq()], {
  name: "isolation: the same scenarios on PostgreSQL 15 (the expectations are PostgreSQL's)",
  async fn(t) {
    const server = await PostgresServer.start();
    try {
      await server.query("create database isolation");
      const target = { host: server.host, port: server.port, database: "isolation" };
      for (const scenario of scenarios) {
        await t.step(scenario.name, async () => {
          const outcome = await scenario.run(() => connectPg(target));
          if (outcome === "refused") throw new Error("PostgreSQL refused SERIALIZABLE");
        });
      }
    } finally {
      await server.stop();
    }
  },
});
