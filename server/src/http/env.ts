import type { Config } from "../config/config.ts";
import type { Database, Db } from "../db/database.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { Principal } from "../services/api-keys/authenticate.ts";

/** What every handler can reach through `c.var`. */
export interface AppEnv {
  Variables: {
    database: Database;
    db: Db;
    config: Config;
    log: Logger;
    metrics: Metrics;
    /** Set by the bearer middleware on authenticated routes. */
    principal: Principal;
    /** A route's own body limit in bytes (`http/body/json-body.ts`); unset: `config.maxBodyBytes`. */
    bodyLimit?: number;
  };
}
