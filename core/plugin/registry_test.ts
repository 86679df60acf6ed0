import assert from "node:assert/strict";
import { type Plugin, PluginRegistry } from "./registry.ts";
import { DbError } from "../errors.ts";

const parserPlugin = (name: string): Plugin => ({
  name,
  apiVersion: 1,
  register(r) {
    r.addParser({ name: "p", parse: () => [] });
  },
});

Deno.test("the registry rejects duplicate plugins, duplicate parts and foreign API versions", () => {
  const r = new PluginRegistry();
  r.use(parserPlugin("a"));
  assert.equal(r.parser()?.name, "p");
  assert.throws(
    () => r.use(parserPlugin("a")),
    (e: unknown) => e instanceof DbError && e.code === "55000",
  );
  assert.throws(() => r.use(parserPlugin("b")), /parser "p" is already registered/);
  assert.throws(
    () => r.use({ name: "old", apiVersion: 0, register() {} }),
    (e: unknown) => e instanceof DbError && e.code === "0A000",
  );
  assert.deepEqual(r.pluginNames(), ["a"]);
});

Deno.test("lookups by name are case-insensitive and missing parts are null", () => {
  const r = new PluginRegistry();
  assert.equal(r.storage(), null);
  assert.equal(r.wal("file"), null);
  assert.deepEqual(r.scalarFunctions("nope"), []);
  r.addScalarFunction({
    name: "Twice",
    volatility: "immutable",
    resolve: () => null,
    evaluate: () => {
      throw new Error("unused");
    },
  });
  assert.equal(r.scalarFunctions("TWICE").length, 1);
});
