import { openMigratedTestDatabase, TEST_DRIVERS } from "../../db/testing/postgres-database.ts";
import { describeErasureEverywhere } from "./erasure.case.ts";

for (const driver of TEST_DRIVERS) {
  describeErasureEverywhere(driver, () => openMigratedTestDatabase(driver, "erasure"));
}
