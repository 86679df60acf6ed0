/**
 * Prerequisites of tests: external programs (PostgreSQL, InfluxDB...) that a test needs but the
 * repository does not ship. A missing prerequisite makes the tests that need it *ignored*, with a
 * message naming the install command; with the environment variable `OMENDB_REQUIRE_ALL=1`
 * (set in CI) a missing prerequisite is a failure instead.
 *
 * @example
 * ```ts
 * import { checkPrereq, requirePrereq } from "./prereq.ts";
 * // In a test file: `prereqTest([status], { name, fn })` declares the test accordingly.
 * const status = await checkPrereq("sh", () => true, "apt-get install -y dash");
 * console.assert(status.available);
 * if (await requirePrereq("sh", () => true, "apt-get install -y dash")) {
 *   // ... code that needs sh
 * }
 * ```
 *
 * @module
 */

/** The environment variable that turns a missing prerequisite into a failure. */
export const requireAllEnvVar = "OMENDB_REQUIRE_ALL";

/** The outcome of checking one prerequisite. */
export interface PrereqStatus {
  /** Short name, e.g. `PostgreSQL 15`. */
  readonly name: string;
  /** True when the prerequisite was found. */
  readonly available: boolean;
  /** The command that installs it, e.g. `apt-get install -y postgresql`. */
  readonly installHint: string;
  /** True when `OMENDB_REQUIRE_ALL=1`: a missing prerequisite must fail. */
  readonly required: boolean;
  /** A one-line explanation for the log when it is missing. */
  readonly message: string;
}

/** Thrown when a prerequisite is missing while `OMENDB_REQUIRE_ALL=1` is set. */
export class PrereqMissingError extends Error {
  constructor(status: PrereqStatus) {
    super(`${status.message} (${requireAllEnvVar}=1 makes this a failure)`);
    this.name = "PrereqMissingError";
  }
}

/** True when the environment asks for every prerequisite to be present. */
export function requireAll(): boolean {
  try {
    const v = Deno.env.get(requireAllEnvVar);
    return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
  } catch {
    return false; // no --allow-env: nothing is required
  }
}

/**
 * Checks one prerequisite. `check` returns (or resolves to) whether it is present; a check that
 * throws counts as missing.
 */
export async function checkPrereq(
  name: string,
  check: () => boolean | Promise<boolean>,
  installHint: string,
): Promise<PrereqStatus> {
  let available: boolean;
  try {
    available = await check();
  } catch {
    available = false;
  }
  return {
    name,
    available,
    installHint,
    required: requireAll(),
    message: available
      ? `${name} is available`
      : `${name} is missing: install it with \`${installHint}\``,
  };
}

const warned = new Set<string>();

function warnOnce(status: PrereqStatus, what: string): void {
  const key = `${status.name}\u0000${what}`;
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(`[prereq] ignoring ${what}: ${status.message}`);
}

/**
 * Checks a prerequisite and says whether the code that needs it should run: `true` when it is
 * present; `false` (after printing the install command once) when it is missing; throws
 * {@link PrereqMissingError} when it is missing and `OMENDB_REQUIRE_ALL=1`.
 */
export async function requirePrereq(
  name: string,
  check: () => boolean | Promise<boolean>,
  installHint: string,
): Promise<boolean> {
  const status = await checkPrereq(name, check, installHint);
  if (status.available) return true;
  if (status.required) throw new PrereqMissingError(status);
  warnOnce(status, "what needs it");
  return false;
}

/**
 * Declares a `Deno.test` that needs the given prerequisites. When all are present it is declared
 * as given; when one is missing it is declared `ignore: true` (and the install command is
 * printed), unless `OMENDB_REQUIRE_ALL=1`, in which case it is declared as a test that fails with
 * the install command.
 */
export function prereqTest(prereqs: readonly PrereqStatus[], def: Deno.TestDefinition): void {
  const missing = prereqs.filter((p) => !p.available);
  if (missing.length === 0) {
    Deno.test(def);
    return;
  }
  const required = missing.some((p) => p.required);
  if (required) {
    const failures = missing.map((p) => new PrereqMissingError(p).message);
    Deno.test({
      name: def.name,
      fn: () => {
        throw new Error(failures.join("; "));
      },
    });
    return;
  }
  for (const p of missing) warnOnce(p, `test "${def.name}"`);
  Deno.test({ ...def, ignore: true });
}
