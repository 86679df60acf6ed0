/**
 * SCRAM-SHA-256 password verifiers in PostgreSQL's format and algorithm (RFC 5802 / 7677), so
 * the HTTP server and the future PostgreSQL port check the same stored users:
 *
 * ```text
 * SCRAM-SHA-256$<iterations>:<salt base64>$<StoredKey base64>:<ServerKey base64>
 * SaltedPassword = PBKDF2-HMAC-SHA-256(SASLprep(password), salt, iterations)
 * StoredKey      = SHA-256(HMAC(SaltedPassword, "Client Key"))
 * ServerKey      = HMAC(SaltedPassword, "Server Key")
 * ```
 *
 * Uses Web Crypto (`crypto.subtle`); salts come from `crypto.getRandomValues`, never from the
 * injected (seeded, non-cryptographic) `Random`.
 *
 * @example
 * ```ts
 * import { checkPassword, createVerifier } from "./scram.ts";
 * const v = await createVerifier("secret");
 * console.assert(v.startsWith("SCRAM-SHA-256$4096:"));
 * console.assert(await checkPassword(v, "secret"));
 * console.assert(!(await checkPassword(v, "wrong")));
 * ```
 *
 * @module
 */

/** PostgreSQL's default iteration count (`scram_iterations`). */
export const scramIterationsDefault = 4096;
/** Bytes of a new salt (PostgreSQL uses 16). */
export const scramSaltBytes = 16;
/** The fewest and most iterations a verifier may name (more would let a verifier stall logins). */
export const scramIterationsMin = 1;
export const scramIterationsMax = 10_000_000;

/** A parsed verifier. */
export interface ScramVerifier {
  readonly iterations: number;
  readonly salt: Uint8Array;
  readonly storedKey: Uint8Array;
  readonly serverKey: Uint8Array;
}

const encoder = new TextEncoder();
const verifierPattern =
  /^SCRAM-SHA-256\$(\d{1,8}):([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2}):([A-Za-z0-9+/]+={0,2})$/;

/** Parses a verifier; `null` when it is not one (wrong shape, key lengths or iterations). */
export function parseVerifier(text: string): ScramVerifier | null {
  const m = verifierPattern.exec(text);
  if (m === null) return null;
  const iterations = Number(m[1]);
  if (iterations < scramIterationsMin || iterations > scramIterationsMax) return null;
  const salt = fromBase64(m[2]!);
  const storedKey = fromBase64(m[3]!);
  const serverKey = fromBase64(m[4]!);
  if (salt === null || storedKey === null || serverKey === null) return null;
  if (salt.length === 0 || storedKey.length !== 32 || serverKey.length !== 32) return null;
  return { iterations, salt, storedKey, serverKey };
}

/** Whether `text` is a well-formed verifier. */
export function isVerifier(text: string): boolean {
  return parseVerifier(text) !== null;
}

/** Formats a verifier as PostgreSQL stores it in `pg_authid.rolpassword`. */
export function formatVerifier(v: ScramVerifier): string {
  return `SCRAM-SHA-256$${v.iterations}:${toBase64(v.salt)}$${toBase64(v.storedKey)}:${
    toBase64(v.serverKey)
  }`;
}

/** The keys of a password with a given salt and iteration count. */
export async function deriveVerifier(
  password: string,
  options: { readonly salt: Uint8Array; readonly iterations?: number },
): Promise<ScramVerifier> {
  const iterations = options.iterations ?? scramIterationsDefault;
  const salted = await saltedPassword(password, options.salt, iterations);
  const clientKey = await hmac(salted, "Client Key");
  const storedKey = new Uint8Array(await crypto.subtle.digest("SHA-256", clientKey));
  const serverKey = await hmac(salted, "Server Key");
  return { iterations, salt: options.salt.slice(), storedKey, serverKey };
}

/** A new verifier of `password` with a fresh random salt. */
export async function createVerifier(
  password: string,
  options: { readonly iterations?: number } = {},
): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(scramSaltBytes));
  return formatVerifier(await deriveVerifier(password, { salt, ...options }));
}

/**
 * Whether `password` matches the verifier, by recomputing StoredKey and ServerKey from its salt
 * and iterations and comparing in constant time. A malformed verifier matches nothing.
 */
export async function checkPassword(verifier: string, password: string): Promise<boolean> {
  const v = parseVerifier(verifier);
  if (v === null) return false;
  const d = await deriveVerifier(password, v);
  // both compared, always: the time does not say which key differed
  const a = timingSafeEqual(d.storedKey, v.storedKey);
  const b = timingSafeEqual(d.serverKey, v.serverKey);
  return a && b;
}

/** Compares two byte strings in time that depends only on their lengths. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a[i % a.length] ?? 0) ^ (b[i % b.length] ?? 0);
  return diff === 0;
}

/**
 * PostgreSQL's password preparation: an ASCII password is used as is; otherwise SASLprep
 * (RFC 4013): non-ASCII spaces map to a space, characters mapped to nothing are removed, then
 * NFKC. Like PostgreSQL, a password SASLprep refuses (control characters, unassigned code
 * points are not checked here) is used unchanged.
 */
export function saslPrep(password: string): string {
  // deno-lint-ignore no-control-regex
  if (/^[\x00-\x7f]*$/.test(password)) return password;
  const mapped = password
    .replace(/[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g, " ")
    .replace(/[\u00ad\u034f\u1806\u180b-\u180d\u200b-\u200d\u2060\ufe00-\ufe0f\ufeff]/g, "")
    .normalize("NFKC");
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\ue000-\uf8ff\ufff9-\ufffd]/.test(mapped)) return password;
  return mapped;
}

async function saltedPassword(
  password: string,
  salt: Uint8Array,
  iterations: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(saslPrep(password)),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: salt.slice(), iterations },
    key,
    256,
  );
  return new Uint8Array(bits);
}

async function hmac(key: Uint8Array, message: string): Promise<Uint8Array<ArrayBuffer>> {
  const k = await crypto.subtle.importKey(
    "raw",
    key.slice(),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, encoder.encode(message)));
}

/** SHA-256 of a string, as lowercase hex (how API tokens are stored). */
export async function sha256Hex(text: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array | null {
  try {
    const s = atob(text);
    return Uint8Array.from(s, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}
