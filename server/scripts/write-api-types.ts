/** `npm run api:types`: regenerates web/src/lib/api/openapi.ts (see server/src/http/openapi-types.ts). */
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { API_TYPES_FILE, apiTypesSource } from "../src/http/openapi-types.ts";

await writeFile(API_TYPES_FILE, await apiTypesSource());
process.stderr.write(`wrote ${fileURLToPath(API_TYPES_FILE)}\n`);
