import { openMigratedTestDatabase, TEST_DRIVERS } from "../db/testing/postgres-database.ts";
import { describeArchiveLifecycle } from "./archive.case.ts";

for (const driver of TEST_DRIVERS) {
  describeArchiveLifecycle(driver, () => openMigratedTestDatabase(driver, "archive"));
}
