/**
 * @module
 * What to say when a command finds the embedded database held by another process (usually the
 * running server): the refusal names the folder and the holder, and this adds how to do the same
 * thing through that server, since the server is the one process allowed to open the folder.
 */
import type { LockHolder } from "../db/data-dir-lock.ts";

/** `<command path>` (as commander names it, e.g. "users create") → how to do it while the server runs. */
const THROUGH_THE_SERVER: Record<string, (url: string) => string> = {
  serve: () => "stop it first, or use PostgreSQL (DATABASE_URL) to run several servers on one database",
  replica: () =>
    "on the embedded database the replica runs inside the server: start it with `facedrift serve --replica`",
  migrate: () => "the running server migrated the database when it started",
  "users create": (url) =>
    `create the user through it: \`facedrift users create --server ${url} --api-key <admin key> --email …\` (POST ${url}/v1/users)`,
  "keys create": (url) => `create the key through it: POST ${url}/v1/api-keys with an admin key`,
  "keys list": (url) => `list keys through it: GET ${url}/v1/api-keys with an admin key`,
  "keys revoke": (url) => `revoke through it: DELETE ${url}/v1/api-keys/<id> with an admin key`,
  "reference fit": (url) =>
    `fit through it: \`facedrift reference fit --server ${url} --api-key <admin key> --stream … --last N\` (POST ${url}/v1/streams/<stream>/reference)`,
  "reference activate": (url) =>
    `activate through it: POST ${url}/v1/streams/<stream>/references/<version>/activate with an admin key`,
  "reference import": (url) =>
    `import through it: POST ${url}/v1/streams/<stream>/references/import with an admin key`,
  "reference list": (url) => `read it through the server: GET ${url}/v1/streams/<stream>/references`,
  "reference show": (url) =>
    `read it through the server: GET ${url}/v1/streams/<stream>/references/<version>`,
  "reference export": (url) =>
    `export through it: GET ${url}/v1/streams/<stream>/references/<version>/export`,
  check: (url) => `run the check through it: POST ${url}/v1/streams/<stream>/checks with an admin key`,
  delete: (url) => `erase through it: DELETE ${url}/v1/streams/<stream>/embeddings with an admin key`,
  archive: () => "the running server archives past retention every hour (FACEDRIFT_RETENTION_DAYS)",
  verify: (url) => `queue the run through it: POST ${url}/v1/verification-jobs with an admin key`,
};

/** The part of the refusal after the holder: what to do instead, for the command that was refused. */
export function throughTheServer(command: string, holder: LockHolder): string {
  const url = holder.url ?? "http://<its address>";
  const hint = THROUGH_THE_SERVER[command];
  if (hint) return hint(url);
  return holder.url ? `it serves ${holder.url}: use its API, or stop it first` : "stop it first";
}
