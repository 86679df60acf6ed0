/**
 * Worker process: runs test files for the parent (`pool.ts`), one file at a time, talking JSON
 * lines. Parent -> worker: one {@link WorkerJob} per line on stdin. Worker -> parent, on stdout,
 * each line prefixed with {@link protocolPrefix}: `{"t":"r"}` ready, `{"t":"b","s":seq}` before a
 * record touches the engine, `{"t":"o","o":outcome}` per record, `{"t":"d"}` file done.
 *
 * Usage: `deno run -A tests/slt/worker.ts <engine module URL>`; the module exports `openEngine`.
 *
 * @module
 */
import * as path from "node:path";
import type { OpenEngine, SltEngine } from "./engine.ts";
import { describeError } from "./engine.ts";
import { type FileRunSpec, type RecordOutcome, runFile } from "./file_runner.ts";

/** Prefix of protocol lines, so stray engine output on stdout cannot be mistaken for them. */
export const protocolPrefix = "@@slt ";

/** One file for a worker to run. */
export interface WorkerJob extends FileRunSpec {
  /** Fresh temporary directory owned by the parent: `db/` and `scratch/` go inside. */
  readonly tmpDir: string;
  readonly storage: "memory" | "durable";
}

/** A message from the worker. */
export type WorkerMessage =
  | { readonly t: "r" }
  | { readonly t: "b"; readonly s: number }
  | { readonly t: "o"; readonly o: RecordOutcome }
  | { readonly t: "d" };

const encoder = new TextEncoder();
let pending: string[] = [];

function flush(): void {
  if (pending.length === 0) return;
  const bytes = encoder.encode(pending.join(""));
  pending = [];
  let off = 0;
  while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
}

function send(message: WorkerMessage, now: boolean): void {
  pending.push(protocolPrefix + JSON.stringify(message) + "\n");
  if (now || pending.length >= 256) flush();
}

function failingEngine(message: string): SltEngine {
  return {
    query: () => Promise.reject(new Error(`cannot open the database: ${message}`)),
    close: () => Promise.resolve(),
  };
}

async function runJob(job: WorkerJob, openEngine: OpenEngine): Promise<void> {
  const scratchDir = path.join(job.tmpDir, "scratch");
  const dbDir = path.join(job.tmpDir, "db");
  await Deno.mkdir(scratchDir, { recursive: true });
  await Deno.mkdir(dbDir, { recursive: true });
  let engine: SltEngine;
  try {
    engine = await openEngine({ storage: job.storage, dir: dbDir });
  } catch (e) {
    engine = failingEngine(describeError(e).message);
  }
  try {
    await runFile({ ...job, scratchDir }, engine, {
      begin: (s) => send({ t: "b", s }, true),
      outcome: (o) => send({ t: "o", o }, false),
    });
  } finally {
    await engine.close().catch(() => {});
  }
}

async function main(): Promise<void> {
  const moduleUrl = Deno.args[0];
  if (moduleUrl === undefined) throw new Error("usage: worker.ts <engine module URL>");
  const mod = await import(moduleUrl) as { openEngine?: OpenEngine };
  const openEngine = mod.openEngine;
  if (typeof openEngine !== "function") throw new Error(`${moduleUrl} does not export openEngine`);
  globalThis.addEventListener("unhandledrejection", (e) => e.preventDefault());
  send({ t: "r" }, true);
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of Deno.stdin.readable) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim() === "") continue;
      await runJob(JSON.parse(line) as WorkerJob, openEngine);
      send({ t: "d" }, true);
    }
  }
}

if (import.meta.main) await main();
