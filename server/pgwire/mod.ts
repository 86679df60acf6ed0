/**
 * The PostgreSQL wire protocol (v3) server: psql, drivers and dashboards connect to OmenDB
 * unchanged (see docs/postgres.md).
 *
 * @example
 * ```ts
 * import { Database } from "../../mod.ts";
 * import { PgServer } from "./mod.ts";
 * const db = await Database.open({ memory: true });
 * const pg = await PgServer.listen({ db, host: "127.0.0.1", port: 0 });
 * // psql "host=127.0.0.1 port=${pg.port} user=omendb dbname=omendb"
 * await pg.close();
 * await db.close();
 * ```
 *
 * @module
 */
export { PgServer, type PgServerOptions, type PgServerStats } from "./server.ts";
export { type PgAuthPolicy, readyStatusOf } from "./connection.ts";
export * from "./limits.ts";
