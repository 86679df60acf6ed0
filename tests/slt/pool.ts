/**
 * The parent side: runs files in worker subprocesses (`worker.ts`), a file being the unit of
 * work, and enforces the time limits itself. A worker that does not answer in time (a
 * synchronous hang) is killed: a record past {@link recordTimeoutMs} fails with reason `timeout`
 * and the file resumes in a new worker (earlier records are replayed silently to rebuild the
 * database); past {@link fileTimeoutMs} the rest of the file fails with reason `timeout`.
 * A worker that dies fails its current record with reason `crash` and the file resumes.
 *
 * @module
 */
import * as path from "node:path";
import {
  type FileRunSpec,
  fileTimeoutMs as defaultFileTimeoutMs,
  type RecordOutcome,
  recordTimeoutMs as defaultRecordTimeoutMs,
  runFile,
} from "./file_runner.ts";
import type { SltEngine } from "./engine.ts";
import { protocolPrefix, type WorkerJob, type WorkerMessage } from "./worker.ts";

/** Extra time the parent grants beyond a limit before killing a worker (the engine aborts itself first). */
export const killGraceMs = 1_000;
/** How often the watchdog looks at busy workers. */
export const watchdogIntervalMs = 100;
/** Longest a worker may take to start (compile and import the engine). */
export const workerStartTimeoutMs = 60_000;
/** Worker restarts per file before the rest of the file is failed. */
export const restartsPerFileMax = 20;

/** Options of {@link runPool}. */
export interface PoolOptions {
  /** Worker processes. */
  readonly workers: number;
  /** URL of the engine module the workers load (exports `openEngine`). */
  readonly engineModule: string;
  readonly storage: "memory" | "durable";
  readonly recordTimeoutMs?: number;
  readonly fileTimeoutMs?: number;
  /** deno.json for the workers (import map for the engine's npm packages). */
  readonly configPath?: string;
  /** Called for every record outcome, in order within a file. */
  onOutcome(outcome: RecordOutcome, spec: FileRunSpec): void;
  /** Called when a file is finished. */
  onFileDone?(spec: FileRunSpec): void;
}

type WaitResult =
  | { kind: "done" }
  | { kind: "record-timeout"; seq: number }
  | { kind: "file-timeout" }
  | { kind: "exited"; seq: number | null; detail: string };

const encoder = new TextEncoder();

class WorkerProcess {
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #listener: ((m: WorkerMessage) => void) | null = null;
  #exited = false;
  #exitDetail = "";
  #ready: Promise<void>;
  /** Time of the last message, for the watchdog. */
  lastMessageAt = Date.now();
  /** Sequence number of the record in progress, or null between records. */
  current: number | null = null;
  currentSince = Date.now();

  constructor(engineModule: string, configPath: string | undefined) {
    const args = ["run", "--allow-all", "--no-prompt"];
    if (configPath !== undefined) args.push("--config", configPath);
    args.push(new URL("./worker.ts", import.meta.url).href, engineModule);
    this.#child = new Deno.Command(Deno.execPath(), {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
      env: { NO_COLOR: "1" },
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    const ready = Promise.withResolvers<void>();
    this.#ready = ready.promise;
    this.#listener = (m) => {
      if (m.t === "r") ready.resolve();
    };
    const reading = this.#read();
    void Promise.all([this.#child.status, reading]).then(([s]) => {
      this.#exited = true;
      this.#exitDetail = `worker exited (code ${s.code}${s.signal ? `, ${s.signal}` : ""})`;
      ready.reject(new Error(this.#exitDetail));
      this.#listener?.({ t: "d" }); // wake a waiter; it checks #exited
    });
    this.#ready.catch(() => {});
  }

  get exited(): boolean {
    return this.#exited;
  }

  get exitDetail(): string {
    return this.#exitDetail;
  }

  async #read(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of this.#child.stdout) {
        buffer += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (!line.startsWith(protocolPrefix)) {
            if (line.trim() !== "") console.error(`[slt worker] ${line}`);
            continue;
          }
          let message: WorkerMessage;
          try {
            message = JSON.parse(line.slice(protocolPrefix.length)) as WorkerMessage;
          } catch {
            continue;
          }
          this.lastMessageAt = Date.now();
          if (message.t === "b") {
            this.current = message.s;
            this.currentSince = this.lastMessageAt;
          } else if (message.t === "o") {
            this.current = null;
          }
          this.#listener?.(message);
        }
      }
    } catch {
      // the process was killed
    }
  }

  async ready(): Promise<void> {
    const timer = setTimeout(() => this.kill(), workerStartTimeoutMs);
    try {
      await this.#ready;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a job and waits for it to finish, enforcing the limits. */
  async run(
    job: WorkerJob,
    limits: { recordMs: number; fileDeadline: number },
    onOutcome: (o: RecordOutcome) => void,
  ): Promise<WaitResult> {
    const done = Promise.withResolvers<WaitResult>();
    this.current = null;
    this.lastMessageAt = Date.now();
    this.#listener = (m) => {
      if (this.#exited) {
        done.resolve({ kind: "exited", seq: this.current, detail: this.#exitDetail });
      } else if (m.t === "o") {
        onOutcome(m.o);
      } else if (m.t === "d") {
        done.resolve({ kind: "done" });
      }
    };
    const watchdog = setInterval(() => {
      const now = Date.now();
      if (now > limits.fileDeadline + killGraceMs) {
        done.resolve({ kind: "file-timeout" });
      } else if (this.current !== null && now - this.currentSince > limits.recordMs + killGraceMs) {
        done.resolve({ kind: "record-timeout", seq: this.current });
      } else if (
        this.current === null && now - this.lastMessageAt > limits.recordMs + killGraceMs
      ) {
        done.resolve({ kind: "file-timeout" });
      }
    }, watchdogIntervalMs);
    try {
      if (this.#exited) return { kind: "exited", seq: null, detail: this.#exitDetail };
      await this.#stdin.write(encoder.encode(JSON.stringify(job) + "\n")).catch(() => {});
      return await done.promise;
    } finally {
      clearInterval(watchdog);
      this.#listener = null;
    }
  }

  kill(): void {
    if (this.#exited) return;
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }

  async stop(): Promise<void> {
    await this.#stdin.close().catch(() => {});
    const timer = setTimeout(() => this.kill(), 5_000);
    await this.#child.status;
    clearTimeout(timer);
  }

  async killAndWait(): Promise<void> {
    this.kill();
    await this.#child.status;
    await this.#stdin.abort().catch(() => {});
  }
}

const rejectingEngine: SltEngine = {
  query: () => Promise.reject(new Error("not run")),
  close: () => Promise.resolve(),
};

/**
 * Runs a file "dry" (no engine, deadline already passed) and returns every outcome by `seq`:
 * runnable records come back failed with reason `timeout`, skipped ones keep their reason.
 */
export async function dryRun(spec: FileRunSpec): Promise<RecordOutcome[]> {
  const out: RecordOutcome[] = [];
  await runFile({ ...spec, fileDeadline: 0, resumeAfter: -1 }, rejectingEngine, {
    begin: () => {},
    outcome: (o) => {
      out[o.seq] = o;
    },
  });
  return out;
}

async function freshDir(dir: string | null): Promise<string> {
  if (dir !== null) await Deno.remove(dir, { recursive: true }).catch(() => {});
  return await Deno.makeTempDir({ prefix: "omendb_slt_" });
}

/** Runs all files on `options.workers` worker processes. Never throws for engine behaviour. */
export async function runPool(files: readonly FileRunSpec[], options: PoolOptions): Promise<void> {
  const queue = [...files];
  const recordMs = options.recordTimeoutMs ?? defaultRecordTimeoutMs;
  const fileMs = options.fileTimeoutMs ?? defaultFileTimeoutMs;
  const start = async (): Promise<WorkerProcess> => {
    const w = new WorkerProcess(options.engineModule, options.configPath);
    await w.ready();
    return w;
  };

  const runOne = async (worker: WorkerProcess, spec: FileRunSpec): Promise<WorkerProcess> => {
    const fileDeadline = Date.now() + fileMs;
    let tmpDir = await freshDir(null);
    let resumeAfter = -1;
    let nextSeq = 0;
    let restarts = 0;
    const killedSeqs: number[] = [];
    let dry: RecordOutcome[] | null = null;
    const emit = (o: RecordOutcome): void => {
      if (o.seq < nextSeq) return;
      nextSeq = o.seq + 1;
      options.onOutcome(o, spec);
    };
    try {
      while (true) {
        const job: WorkerJob = {
          ...spec,
          tmpDir,
          storage: options.storage,
          fileDeadline,
          resumeAfter,
          killedSeqs,
          recordTimeoutMs: recordMs,
        };
        const result = await worker.run(job, { recordMs, fileDeadline }, emit);
        if (result.kind === "done") return worker;
        await worker.killAndWait();
        dry ??= await dryRun(spec);
        const canResume = restarts < restartsPerFileMax && Date.now() < fileDeadline;
        const failSeq = result.kind === "record-timeout"
          ? result.seq
          : result.kind === "exited"
          ? result.seq
          : null;
        if (failSeq !== null && failSeq >= nextSeq && canResume) {
          const d = dry[failSeq];
          if (d !== undefined) {
            emit(
              result.kind === "exited"
                ? { ...d, reason: "crash", actual: `${result.detail} while running this record` }
                : { ...d, actual: `no answer within ${recordMs} ms; worker killed` },
            );
          }
          resumeAfter = failSeq;
          killedSeqs.push(failSeq);
          restarts++;
          tmpDir = await freshDir(tmpDir);
          worker = await start();
          continue;
        }
        // File limit (or too many restarts): the rest of the file fails as timeout.
        const why = result.kind === "file-timeout"
          ? `file time limit of ${fileMs} ms exceeded`
          : result.kind === "exited"
          ? result.detail
          : `too many worker restarts`;
        for (let s = nextSeq; s < dry.length; s++) {
          const d = dry[s];
          if (d === undefined) continue;
          emit(d.status === "failed" ? { ...d, reason: "timeout", actual: why } : d);
        }
        return await start();
      }
    } finally {
      await Deno.remove(tmpDir, { recursive: true }).catch(() => {});
      options.onFileDone?.(spec);
    }
  };

  const slot = async (): Promise<void> => {
    if (queue.length === 0) return;
    let worker = await start();
    try {
      let spec: FileRunSpec | undefined;
      while ((spec = queue.shift()) !== undefined) worker = await runOne(worker, spec);
    } finally {
      await worker.stop();
    }
  };
  const slots: Promise<void>[] = [];
  for (let i = 0; i < Math.max(1, options.workers); i++) slots.push(slot());
  await Promise.all(slots);
}

/** The default engine module: OmenDB. */
export const omendbEngineModule = new URL("./omendb_engine.ts", import.meta.url).href;

/** deno.json of the repository (for the workers' import map). */
export const repoConfigPath = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  "../../deno.json",
);
