/**
 * @module
 * Verification metrics for the evaluation script. Local stand-in until `@facedrift/stats` exports
 * `rocAuc` / `equalErrorRate`; then this file should be deleted and the imports swapped.
 */

/**
 * ROC AUC as the Mann-Whitney statistic: the probability that a random genuine pair scores above a
 * random impostor pair, ties counting ½ (equal to sklearn's `roc_auc_score`). O(n log n) via ranks.
 */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j]?.[0] === order[i]?.[0]) j++;
    const midRank = (i + 1 + j) / 2; // average 1-based rank of a tie group
    for (let k = i; k < j; k++) {
      if (labels[order[k]?.[1] ?? 0]) {
        positives++;
        rankSum += midRank;
      }
    }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) throw new RangeError("rocAuc needs both classes");
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Equal error rate: walks the ROC curve (thresholds from high to low, ties taken together) and
 * interpolates linearly between the two points where FPR crosses FNR = 1 − TPR.
 */
export function equalErrorRate(scores: readonly number[], labels: readonly boolean[]): number {
  const order = scores.map((s, i) => [s, labels[i] === true] as const).sort((a, b) => b[0] - a[0]);
  const positives = order.filter(([, l]) => l).length;
  const negatives = order.length - positives;
  let tp = 0;
  let fp = 0;
  let previous = { fpr: 0, fnr: 1 };
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j]?.[0] === order[i]?.[0]) {
      if (order[j]?.[1]) tp++;
      else fp++;
      j++;
    }
    const point = { fpr: fp / negatives, fnr: 1 - tp / positives };
    if (point.fpr >= point.fnr) {
      // The difference fpr − fnr changes sign between previous and point: solve for zero.
      const before = previous.fpr - previous.fnr;
      const after = point.fpr - point.fnr;
      const t = after === before ? 0 : -before / (after - before);
      return previous.fpr + t * (point.fpr - previous.fpr);
    }
    previous = point;
    i = j;
  }
  return previous.fpr;
}
