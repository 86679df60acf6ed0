import assert from "node:assert/strict";
import {
  checkPrereq,
  PrereqMissingError,
  requireAll,
  requireAllEnvVar,
  requirePrereq,
} from "./prereq.ts";

function withEnv(value: string | undefined, fn: () => Promise<void>): Promise<void> {
  const old = Deno.env.get(requireAllEnvVar);
  if (value === undefined) Deno.env.delete(requireAllEnvVar);
  else Deno.env.set(requireAllEnvVar, value);
  return fn().finally(() => {
    if (old === undefined) Deno.env.delete(requireAllEnvVar);
    else Deno.env.set(requireAllEnvVar, old);
  });
}

Deno.test("checkPrereq reports presence, absence and a throwing check as missing", async () => {
  const yes = await checkPrereq("thing", () => true, "apt-get install -y thing");
  assert.equal(yes.available, true);
  const no = await checkPrereq("thing", () => Promise.resolve(false), "apt-get install -y thing");
  assert.equal(no.available, false);
  assert.match(no.message, /apt-get install -y thing/);
  const boom = await checkPrereq("thing", () => {
    throw new Error("boom");
  }, "x");
  assert.equal(boom.available, false);
});

Deno.test("requirePrereq: runs when present, skips when missing, fails when all are required", async () => {
  await withEnv(undefined, async () => {
    assert.equal(requireAll(), false);
    assert.equal(await requirePrereq("present", () => true, "x"), true);
    assert.equal(await requirePrereq("absent", () => false, "apt-get install -y absent"), false);
  });
  await withEnv("0", () => {
    assert.equal(requireAll(), false);
    return Promise.resolve();
  });
  await withEnv("1", async () => {
    assert.equal(requireAll(), true);
    assert.equal(await requirePrereq("present", () => true, "x"), true);
    await assert.rejects(
      requirePrereq("absent", () => false, "apt-get install -y absent"),
      (e: unknown) =>
        e instanceof PrereqMissingError && /apt-get install -y absent/.test(e.message),
    );
  });
});
