/**
 * `promtool check metrics`, Prometheus's own checker of the text exposition format and of metric
 * naming (counters end in `_total`, base units, HELP present). It comes with the Debian package
 * `prometheus`, which `.ci/run` installs; a test that needs it declares it with `prereqTest`.
 *
 * @example
 * ```ts
 * import { promtoolCheckMetrics, promtoolPrereq } from "./promtool.ts";
 * if ((await promtoolPrereq()).available) {
 *   const r = await promtoolCheckMetrics("# HELP x_total X.\n# TYPE x_total counter\nx_total 1\n");
 *   console.assert(r.ok, r.output);
 * }
 * ```
 *
 * @module
 */
import { checkPrereq, type PrereqStatus } from "./prereq.ts";

/** The command that installs promtool on Debian. */
export const promtoolInstallHint = "apt-get install -y prometheus";

/** The outcome of one check: `ok` when promtool exits 0 (no format error, no lint problem). */
export interface PromtoolResult {
  readonly ok: boolean;
  /** promtool's exit code: 0 clean, 1 unparsable, 3 lint problems. */
  readonly code: number;
  /** Its stdout and stderr. */
  readonly output: string;
}

/** True when `promtool` runs. */
export async function promtoolInstalled(): Promise<boolean> {
  try {
    const out = await new Deno.Command("promtool", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/** The prerequisite status of promtool, for `prereqTest` / `requirePrereq`. */
export function promtoolPrereq(): Promise<PrereqStatus> {
  return checkPrereq("promtool (Prometheus)", promtoolInstalled, promtoolInstallHint);
}

/** Runs `promtool check metrics` on `text` (passed on stdin). */
export async function promtoolCheckMetrics(text: string): Promise<PromtoolResult> {
  const child = new Deno.Command("promtool", {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  const dec = new TextDecoder();
  return {
    ok: out.code === 0,
    code: out.code,
    output: dec.decode(out.stdout) + dec.decode(out.stderr),
  };
}
