/**
 * What a connection knows about its client and its current work, for a `pg_stat_activity`
 * view. Once logged in, the engine's `Session.activity` holds what `pg_stat_activity` shows
 * (the connection sets its user and client address there); this record is the connection's own
 * view, also before login.
 *
 * @example
 * ```ts
 * import { newActivity, recordActivity } from "./activity.ts";
 * const a = newActivity({ pid: 7, user: "omendb", applicationName: "psql", clientAddress: "127.0.0.1", clientPort: 5000, backendStart: new Date(0) });
 * recordActivity(a, null, { state: "active", query: "SELECT 1", queryStart: new Date(1) });
 * console.assert(a.state === "active" && a.query === "SELECT 1");
 * ```
 *
 * @module
 */
import type { Session } from "../../core/engine/session.ts";

/** A connection's state, as `pg_stat_activity.state` names it. */
export type ActivityState =
  | "starting"
  | "idle"
  | "active"
  | "idle in transaction"
  | "idle in transaction (aborted)";

/** One connection's activity (the fields of `pg_stat_activity` a wire connection knows). */
export interface PgActivity {
  /** The backend "process id" (BackendKeyData's; a counter, not an OS pid). */
  pid: number;
  user: string;
  applicationName: string;
  clientAddress: string;
  clientPort: number;
  backendStart: Date;
  state: ActivityState;
  /** The current or last query text. */
  query: string;
  queryStart: Date | null;
  xactStart: Date | null;
}

/** A new activity record in the `starting` state. */
export function newActivity(
  init: Pick<
    PgActivity,
    "pid" | "user" | "applicationName" | "clientAddress" | "clientPort" | "backendStart"
  >,
): PgActivity {
  return { ...init, state: "starting", query: "", queryStart: null, xactStart: null };
}

/** Records a change of a connection's activity (the session keeps its own, see above). */
export function recordActivity(
  activity: PgActivity,
  _session: Session | null,
  change: Partial<PgActivity>,
): void {
  Object.assign(activity, change);
}
