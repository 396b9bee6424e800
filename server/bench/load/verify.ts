/**
 * @module
 * The exactly-once check of a load run: what the client saw against what the database holds.
 * Each acknowledged request's items must all be stored, none twice; a request that got no answer
 * (cut off at the end of the run, a timeout, a 5xx) must be stored whole or not at all; nothing
 * may be stored that was never sent; and the server's `accepted` counts must add up to the rows.
 */

export interface ClientLedger {
  /** Items per request. */
  batch: number;
  /** Every request number the client started. */
  issued: ReadonlySet<number>;
  /** Requests answered 200, with the server's `accepted` and `duplicates` counts. */
  acknowledged: ReadonlyMap<number, { accepted: number; duplicates: number }>;
}

export interface StoredCounts {
  /** Rows in `embeddings` for the stream. */
  rows: number;
  /** Distinct client ids among them. */
  distinctIds: number;
  /** Ids claimed in the `embedding_ids` ledger for the stream. */
  ledgerIds: number;
  /** Rows per request number (parsed from the item ids); `NaN` key for ids of no request. */
  byRequest: ReadonlyMap<number, number>;
}

export interface Verification {
  acknowledgedRequests: number;
  /** Sum of `accepted` over acknowledged requests. */
  acceptedTotal: number;
  rows: number;
  distinctIds: number;
  ledgerIds: number;
  /** Rows stored twice or more (rows − distinct ids). */
  duplicateRows: number;
  /** Requests without an answer whose items were stored anyway (whole). */
  unacknowledgedStored: number;
  problems: string[];
  ok: boolean;
}

export function verifyExactlyOnce(ledger: ClientLedger, stored: StoredCounts): Verification {
  const problems: string[] = [];
  let acceptedTotal = 0;
  for (const [request, answer] of ledger.acknowledged) {
    acceptedTotal += answer.accepted;
    if (answer.accepted !== ledger.batch || answer.duplicates !== 0)
      problems.push(`request ${request}: accepted ${answer.accepted}, duplicates ${answer.duplicates}`);
    const present = stored.byRequest.get(request) ?? 0;
    if (present !== ledger.batch)
      problems.push(`request ${request} was acknowledged but ${present}/${ledger.batch} rows are stored`);
  }
  let unacknowledgedStored = 0;
  for (const [request, present] of stored.byRequest) {
    if (!ledger.issued.has(request)) {
      problems.push(`${present} rows belong to request ${request}, which was never sent`);
      continue;
    }
    if (ledger.acknowledged.has(request)) continue;
    if (present === ledger.batch) unacknowledgedStored++;
    else problems.push(`request ${request} (unacknowledged) is partly stored: ${present}/${ledger.batch}`);
  }
  if (stored.rows !== stored.distinctIds)
    problems.push(
      `${stored.rows - stored.distinctIds} rows repeat an id (${stored.rows} rows, ${stored.distinctIds} ids)`,
    );
  if (stored.ledgerIds !== stored.distinctIds)
    problems.push(`the id ledger holds ${stored.ledgerIds} ids but ${stored.distinctIds} are stored`);
  const expectedRows = acceptedTotal + unacknowledgedStored * ledger.batch;
  if (stored.rows !== expectedRows)
    problems.push(`${stored.rows} rows, but acknowledged + unanswered-yet-stored items make ${expectedRows}`);
  return {
    acknowledgedRequests: ledger.acknowledged.size,
    acceptedTotal,
    rows: stored.rows,
    distinctIds: stored.distinctIds,
    ledgerIds: stored.ledgerIds,
    duplicateRows: stored.rows - stored.distinctIds,
    unacknowledgedStored,
    problems,
    ok: problems.length === 0,
  };
}
