// graphql-inspector's diff of schema pairs, for the GraphQL compatibility
// tests: `node inspector-diff.mjs PAIRS.json`, where the file holds
// [[old SDL, new SDL], ...]; prints one JSON list of changes per pair,
// each {type, level, path, message}, or {error} for a pair whose SDL
// graphql-js refuses.
import { readFileSync } from "node:fs";
import { buildSchema } from "graphql";
import { diff } from "@graphql-inspector/core";

const pairs = JSON.parse(readFileSync(process.argv[2], "utf8"));
const out = [];
for (const [before, after] of pairs) {
  try {
    const changes = await diff(buildSchema(before), buildSchema(after));
    out.push(changes.map((c) => ({ type: c.type, level: c.criticality.level, path: c.path ?? null, message: c.message })));
  } catch (e) {
    out.push({ error: String(e) });
  }
}
console.log(JSON.stringify(out));
