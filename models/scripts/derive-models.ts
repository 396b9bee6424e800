/**
 * Makes the derived models of the registry (`models/src/registry/derive.ts`) from the shipped
 * files in node_modules and prints, per entry, the SHA-256 the registry must hold; with `--out
 * DIR` it also writes the files (for inspection or another runtime: the hosts derive them in
 * memory at load time, so nothing derived is stored in the repository). Exits 1 when a registry
 * hash differs from what the derivation makes now.
 *
 *   npx tsx models/scripts/derive-models.ts [--out DIR]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { nodeFileSource } from "../src/node/files.ts";
import { CATALOG } from "../src/registry/catalog.ts";
import { derive } from "../src/registry/derive.ts";
import { sha256Hex } from "../src/registry/verify.ts";

const outIndex = process.argv.indexOf("--out");
const out = outIndex >= 0 ? process.argv[outIndex + 1] : undefined;
const source = nodeFileSource();
let stale = 0;
for (const entry of Object.values(CATALOG)) {
  if (!entry.derived) continue;
  const file = entry.files[0];
  if (!file) continue;
  const shipped = await source(entry.package, file.path);
  if ((await sha256Hex(shipped)) !== entry.derived.sourceSha256)
    throw new Error(`${entry.id}: ${entry.package}/${file.path} is not the file the entry was derived from`);
  const bytes = derive(entry.derived.derivation, shipped);
  const sha256 = await sha256Hex(bytes);
  const ok = sha256 === file.sha256;
  if (!ok) stale++;
  console.log(
    `${entry.id}: ${entry.derived.derivation} of ${entry.derived.from} → ${sha256}${ok ? "" : " (registry differs)"}`,
  );
  if (out) {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `${entry.id}-${basename(file.path)}`), bytes);
  }
}
process.exit(stale > 0 ? 1 : 0);
