import { authConformance } from "../../core/plugin/auth_conformance.ts";
import { createScramAuth } from "./mod.ts";

authConformance("scram", () => createScramAuth());
