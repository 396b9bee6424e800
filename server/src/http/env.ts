import type { Config } from "../config/config.ts";
import type { Database, Db } from "../db/database.ts";
import type { PublicIds } from "../ids/public-ids.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { Principal } from "../services/api-keys/authenticate.ts";
import type { RequestBudget } from "./rate-limit.ts";

/** What every handler can reach through `c.var`. */
export interface AppEnv {
  Variables: {
    database: Database;
    db: Db;
    config: Config;
    log: Logger;
    metrics: Metrics;
    /** The database's public ids (`ids/public-ids.ts`), set on `/v1/*` routes. */
    ids: PublicIds;
    /** Set by the bearer middleware on authenticated routes. */
    principal: Principal;
    /** The client's address (`client-address.ts`) and the key its anonymous budget is kept under. */
    clientAddress: string;
    clientAddressKey: string;
    /** Per-process request budgets (`rate-limit.ts`): by address when anonymous, by principal after. */
    budgets: { anonymous: RequestBudget; principal: RequestBudget };
    /** A route's own body limit in bytes (`http/body/json-body.ts`); unset: `config.maxBodyBytes`. */
    bodyLimit?: number;
  };
}
