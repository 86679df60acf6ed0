/**
 * An offline check of a WAL folder: every segment's header, every record's checksum, LSN order
 * within and across files, and missing sequence numbers. It reads only; it changes nothing.
 *
 * @module
 */
import type { FileSystem } from "../../core/env/fs.ts";
import {
  checkHeader,
  describeProblem,
  isTornTail,
  listSegments,
  readRecords,
  segmentName,
  walHeaderBytes,
} from "./segment_format.ts";

/** One thing wrong in a WAL folder. */
export interface WalProblem {
  /** The segment file's path. */
  readonly file: string;
  /** Byte offset in the file where the problem starts. */
  readonly offset: number;
  readonly message: string;
  /**
   * `error`: opening or replaying the log will fail. `warning`: a torn tail in the last file,
   * which the next open truncates (the usual state after a crash).
   */
  readonly severity: "error" | "warning";
}

/**
 * Checks every segment file in `dir` without changing anything; an empty list means intact.
 * Reads one file at a time.
 *
 * @example
 * ```ts
 * import { MemoryFileSystem, realEnv } from "../../core/env/mod.ts";
 * import { fileWalPlugin } from "./log_file.ts";
 * import { verifyWal } from "./verify.ts";
 * const fs = new MemoryFileSystem();
 * const wal = await fileWalPlugin.open({ env: { ...realEnv(), fs }, dir: "/w", log: () => {} });
 * await wal.append([{ type: 1, payload: new Uint8Array([7]) }]);
 * await wal.close();
 * console.assert((await verifyWal(fs, "/w")).length === 0);
 * ```
 */
export async function verifyWal(fs: FileSystem, dir: string): Promise<WalProblem[]> {
  const problems: WalProblem[] = [];
  const error = (file: string, offset: number, message: string) =>
    problems.push({ file, offset, message, severity: "error" });
  const files = await listSegments(fs, dir);
  let prev: bigint | null = null;
  for (const [i, f] of files.entries()) {
    const last = i === files.length - 1;
    const before = files[i - 1];
    if (before !== undefined && f.seq !== before.seq + 1) {
      error(`${dir}/${segmentName(before.seq + 1)}`, 0, "WAL segment missing");
    }
    const bytes = (await fs.readFile(f.path)) ?? new Uint8Array(0);
    const header = checkHeader(bytes);
    if (header !== "ok") {
      if (header === "torn" && last) {
        problems.push({
          file: f.path,
          offset: 0,
          message: `torn header: ${bytes.length} bytes (the next open rewrites the header)`,
          severity: "warning",
        });
      } else error(f.path, 0, "not an intact OmenDB WAL segment header");
      continue;
    }
    const it = readRecords(bytes, walHeaderBytes);
    for (let r = it.next();; r = it.next()) {
      if (!r.done) {
        const { entry, offset } = r.value;
        if (prev !== null && entry.lsn <= prev) {
          error(f.path, offset, `LSN ${entry.lsn} does not follow LSN ${prev}`);
        }
        prev = entry.lsn;
        continue;
      }
      const end = r.value;
      if (end.problem === null) break;
      if (last && isTornTail(bytes, end)) {
        problems.push({
          file: f.path,
          offset: end.offset,
          message: `torn tail of ${bytes.length - end.offset} bytes (the next open truncates it)`,
          severity: "warning",
        });
      } else error(f.path, end.offset, describeProblem(end.problem));
      break;
    }
  }
  return problems;
}
