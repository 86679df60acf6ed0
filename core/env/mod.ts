/**
 * The world as OmenDB sees it: clock, file system and randomness, injected together. Only this
 * folder and server/main.ts touch `Deno.*` files, sockets or time.
 *
 * @example
 * ```ts
 * import { realEnv } from "./mod.ts";
 * const env = realEnv();
 * console.assert(typeof env.clock.nowMicros() === "number");
 * ```
 *
 * @module
 */
import { type Clock, systemClock } from "./clock.ts";
import { denoFileSystem, type FileSystem } from "./fs.ts";
import { cryptoRandom, type Random } from "./random.ts";

export * from "./clock.ts";
export * from "./fs.ts";
export * from "./memory_fs.ts";
export * from "./random.ts";

/** Clock, file system and random source, handed to everything that needs them. */
export interface Env {
  readonly clock: Clock;
  readonly fs: FileSystem;
  readonly random: Random;
}

/** The real environment: system clock, Deno file system, crypto randomness. */
export function realEnv(): Env {
  return { clock: systemClock, fs: denoFileSystem, random: cryptoRandom };
}
