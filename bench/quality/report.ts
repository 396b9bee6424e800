/**
 * @module
 * Writes docs/detection-quality.md and its SVG charts from the experiments' results. Everything
 * in the page is computed here from the results, the summary included, so a rerun cannot leave a
 * sentence that the numbers no longer support.
 */
import { BATCH_DETECTORS, BATCH_LABELS, type BatchDetector, SHIPPED_PERMUTATIONS } from "./batch.ts";
import {
  type DelayPoint,
  delayChart,
  detectionVsSizeChart,
  legendChart,
  type RatePoint,
  verificationChart,
} from "./charts.ts";
import {
  type ModelResult,
  RIVER_DELTA,
  type ShiftResult,
  SIZES,
  STRICT,
  TARGET_PER_10K,
} from "./experiments.ts";
import { FEATURE_LABELS, FEATURES, type Feature } from "./features.ts";
import { IN_PRODUCT, IN_PRODUCT_HEADING } from "./in-product.ts";
import {
  AUC_DROP_THAT_MATTERS,
  adwinTargetPer10k,
  aucDrop,
  BATCH_SHARE_PER_10K,
  BUDGET,
  CAUGHT_RATE,
  chooseBatchDetector,
  goalCheck,
  unionRate,
} from "./recommendation.ts";
import { medianDelay } from "./streaming.ts";

export interface ReportInput {
  results: ModelResult[];
  recommended: readonly Feature[];
  split: { reference: number; heldOut: number; referencePeople: number; heldOutPeople: number };
  seed: number;
  heldOutShare: number;
}

const pct = (x: number) => `${Math.round(100 * x)} %`;
const num = (x: number, digits = 4) => x.toFixed(digits);
const delayText = (d: number) => (Number.isFinite(d) ? String(d) : "—");
const table = (header: string[], rows: string[][], align?: string[]) =>
  [
    `| ${header.join(" | ")} |`,
    `| ${header.map((_, i) => align?.[i] ?? (i === 0 ? "---" : "---:")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");

const STREAM_LABEL = (f: Feature) => `ADWIN on ${FEATURE_LABELS[f]}`;
const sizeIndex = (n: number) => SIZES.indexOf(n as (typeof SIZES)[number]);

function analysed(result: ModelResult): ShiftResult[] {
  return result.shifts.filter((s) => s.streaming.pc1 !== undefined);
}

export function renderCharts(
  result: ModelResult,
  streamingShown: readonly Feature[],
): Record<string, string> {
  const shifts = analysed(result);
  const detectors = [...BATCH_DETECTORS.map((d) => BATCH_LABELS[d]), ...streamingShown.map(STREAM_LABEL)];
  const points: RatePoint[] = shifts.flatMap((s) => [
    ...BATCH_DETECTORS.flatMap((d) =>
      SIZES.map((n, i) => ({ shift: s.id, detector: BATCH_LABELS[d], n, rate: s.batch[d][i] as number })),
    ),
    ...streamingShown.flatMap((f) =>
      SIZES.map((n) => ({
        shift: s.id,
        detector: STREAM_LABEL(f),
        n,
        rate: s.streaming[f].calibrated.filter((d) => d <= n).length / s.streaming[f].calibrated.length,
      })),
    ),
  ]);
  const delays: DelayPoint[] = shifts.flatMap((s) =>
    FEATURES.map((f) => ({
      shift: s.id,
      statistic: FEATURE_LABELS[f],
      delay: medianDelay(s.streaming[f].calibrated),
    })),
  );
  const bars = result.shifts.flatMap((s) => {
    const drop = aucDrop(result, s);
    return drop === null ? [] : [{ shift: s.id, aucDrop: drop }];
  });
  return {
    "legend.svg": legendChart(detectors),
    "streaming-legend.svg": legendChart(
      FEATURES.map((f) => FEATURE_LABELS[f]),
      true,
    ),
    "detection-vs-size.svg": detectionVsSizeChart(points, detectors),
    "verification-impact.svg": verificationChart(bars),
    "streaming-delay.svg": delayChart(
      delays,
      FEATURES.map((f) => FEATURE_LABELS[f]),
      shifts.map((s) => s.id),
    ),
  };
}

export function renderReport(input: ReportInput): string {
  const [main, ...others] = input.results;
  if (!main) throw new Error("no results to report");
  const shifts = analysed(main);
  const skipped = main.shifts.filter((s) => s.streaming.pc1 === undefined);
  const batchChoice = chooseBatchDetector(main);
  const goal = goalCheck(main, input.recommended, batchChoice);
  const seedGoal = goalCheck(main, ["pc1"], "psiRule", true);
  const adwinTarget = adwinTargetPer10k(input.recommended.length);
  const i500 = sizeIndex(STRICT.n);
  const i100 = sizeIndex(100);
  const i1000 = sizeIndex(1000);

  const mattering = main.shifts.filter((s) => (aucDrop(main, s) ?? 0) >= AUC_DROP_THAT_MATTERS);
  const harmless = main.shifts.filter((s) => {
    const drop = aucDrop(main, s);
    return drop !== null && drop < AUC_DROP_THAT_MATTERS;
  });
  const pc1Misses = shifts.filter(
    (s) =>
      s.streaming.pc1.calibrated.filter((d) => d <= BUDGET).length / s.streaming.pc1.calibrated.length <
      CAUGHT_RATE,
  );
  const bestBatch = (s: ShiftResult, i: number) =>
    BATCH_DETECTORS.reduce((best, d) =>
      (s.batch[d][i] as number) > (s.batch[best][i] as number) ? d : best,
    );
  const bestStream = (s: ShiftResult) =>
    FEATURES.reduce((best, f) =>
      medianDelay(s.streaming[f].calibrated) < medianDelay(s.streaming[best].calibrated) ? f : best,
    );

  const lines: string[] = [];
  const p = (...text: string[]) => {
    for (const t of text) lines.push(t, "");
  };

  p(
    "# Detection quality on real faces",
    "<!-- Generated by `npm run bench:quality` (bench/quality/report.ts); edit the generator, not this page. -->",
    `How well do drift detectors catch the shifts that actually hit a face-recognition system? ` +
      `Real LFW photos go through Facedrift's own face pipeline (${main.model}, ${main.dimension}-D), ` +
      `each shift applied to the photo before the pipeline, and every detector runs on the embeddings ` +
      `that come out. The design follows *Failing Loudly* (Rabanser, Günnemann and Lipton, NeurIPS 2019): ` +
      `detection rate against sample size at a fixed false-positive rate, on dimension-reduced and raw ` +
      `representations.`,
    "> **Read with [who-vs-how.md](who-vs-how.md).** This page measures the embedding statistics " +
      "(PC1, residual, MMD, kNN) on the first-round shifts with references of ~900 photos. The product's " +
      "defaults now separate *who* is seen from *how*: the quality window decides whether a finding is an " +
      "input change (severity from the predicted verification cost) or a population change (informational), " +
      "and every detector sizes itself to the reference. who-vs-how.md measures those defaults — 34 change " +
      "families, population-only cases, references of 500 and 800 photos, both embedders.",
  );

  // ---- summary
  p("## Summary");
  const summary: string[] = [];
  summary.push(
    `- **Shifts that matter** (verification AUC down by ≥ ${AUC_DROP_THAT_MATTERS} on the held-out pairs): ` +
      (mattering.length
        ? mattering.map((s) => `${s.id} (−${num(aucDrop(main, s) as number, 3)})`).join(", ")
        : "none") +
      `. Barely felt by recognition: ${harmless.map((s) => s.id).join(", ") || "none"}.`,
  );
  summary.push(
    `- **PC1-ADWIN alone** (the seed design; δ calibrated to ${num(adwinTarget, 3)} ` +
      `false alarms per 10,000) catches within ${BUDGET.toLocaleString("en")} embeddings, in ≥ ${pct(CAUGHT_RATE)} ` +
      `of replicates, ${shifts.length - pc1Misses.length} of ${shifts.length} shifts; it misses ` +
      `${pc1Misses.map((s) => s.id).join(", ") || "none"}.` +
      (seedGoal.mattering.length
        ? ` Of the shifts that matter it misses ${
            seedGoal.mattering
              .filter((m) => !m.caught)
              .map((m) => m.id)
              .join(", ") || "none"
          }.`
        : ""),
  );
  const missed = goal.mattering.filter((m) => !m.caught);
  summary.push(
    `- **Recommended configuration**: ADWIN on ${input.recommended.map((f) => FEATURE_LABELS[f]).join(" and on ")} ` +
      `(each δ calibrated on the reference replay to ${num(adwinTarget, 3)} false alarms per 10,000), plus ` +
      `${BATCH_LABELS[batchChoice]} on a window of the last ${STRICT.n} embeddings every ${STRICT.n} ` +
      `(threshold at α = ${STRICT.alpha} false positives per window, calibrated on held-out windows). ` +
      `False alarms: ${num(goal.falseAlarmsPer10k, 3)} per 10,000 in-distribution embeddings ` +
      `(goal ≤ ${TARGET_PER_10K}: ${goal.falseAlarmsMet ? "met" : "**not met**"}); shifts that matter caught within ` +
      `${BUDGET.toLocaleString("en")} embeddings: ${goal.mattering.length - missed.length} of ${goal.mattering.length}` +
      (missed.length
        ? ` (missed: ${missed.map((m) => `${m.id}: ADWIN ${pct(m.streaming)}, batch ${pct(m.batch)}`).join("; ")})`
        : "") +
      `. **Goal ${goal.met ? "met" : "not met"}.** The seed design (PC1-ADWIN plus the PSI rule on the same windows) ` +
      `catches ${seedGoal.mattering.filter((m) => m.caught).length} of ${seedGoal.mattering.length}` +
      ` (missed: ${
        seedGoal.mattering
          .filter((m) => !m.caught)
          .map((m) => m.id)
          .join(", ") || "none"
      }), ` +
      `at ${num(seedGoal.falseAlarmsPer10k, 3)} false alarms per 10,000.`,
  );
  const bestAt1000 = BATCH_DETECTORS.map((d) => ({
    d,
    caught: shifts.filter((s) => (s.batch[d][i1000] as number) >= CAUGHT_RATE).length,
  })).sort((a, b) => b.caught - a.caught);
  summary.push(
    `- **Batch checks** (5 % false positives per window, calibrated on held-out windows): at 1,000 embeddings ` +
      bestAt1000.map(({ d, caught }) => `${BATCH_LABELS[d]} detects ${caught}`).join(", ") +
      ` of the ${shifts.length} shifts in ≥ ${pct(CAUGHT_RATE)} of windows.`,
  );
  const psiFp = main.ruleFalsePositive.psiRule ?? [];
  const firstSafe = SIZES.find((_, i) => (psiFp[i] as number) <= 0.05);
  summary.push(
    `- **The seed's PSI rule is not a test at small windows**: on in-distribution windows it flags ` +
      SIZES.map((n, i) => `${pct(psiFp[i] as number)} at ${n}`).join(", ") +
      ` (10 decile bins; an empty or sparse bin alone gives PSI ≥ 0.1). It needs ≥ ${firstSafe ?? "more than 1,000"} embeddings.`,
  );
  p(...summary);

  p("### Which detector for which shift");
  p(
    table(
      [
        "shift",
        "ΔAUC",
        "best batch detector at 100 (rate)",
        "at 1,000",
        `PC1-ADWIN within ${BUDGET.toLocaleString("en")}`,
        "fastest ADWIN statistic (median delay)",
      ],
      shifts.map((s) => {
        const drop = aucDrop(main, s);
        const b100 = bestBatch(s, i100);
        const b1000 = bestBatch(s, i1000);
        const fast = bestStream(s);
        return [
          s.id,
          drop === null ? "n/a" : num(drop, 3),
          `${BATCH_LABELS[b100]} (${pct(s.batch[b100][i100] as number)})`,
          `${BATCH_LABELS[b1000]} (${pct(s.batch[b1000][i1000] as number)})`,
          pct(
            s.streaming.pc1.calibrated.filter((d) => d <= BUDGET).length / s.streaming.pc1.calibrated.length,
          ),
          `${FEATURE_LABELS[fast]} (${delayText(medianDelay(s.streaming[fast].calibrated))})`,
        ];
      }),
      ["---", "---:", "---", "---", "---:", "---"],
    ),
  );

  p("### The goal: every shift that matters within 1,000 embeddings, ≤ 1 false alarm per 100,000");
  p(
    `A window of ${STRICT.n} every ${STRICT.n} embeddings means a shift is wholly inside the second window after ` +
      `it, so within 1,000; ${(1e5 / STRICT.n).toLocaleString("en")} windows per 100,000 embeddings at α = ${STRICT.alpha} ` +
      `use ${num(BATCH_SHARE_PER_10K * 10, 1)} of the one false alarm allowed, the ADWINs the rest. ` +
      `The batch detector is the one that catches the most shifts that matter at that operating point ` +
      `(${BATCH_LABELS[batchChoice]}; chosen among six on the same data, so its margin is slightly optimistic). ` +
      `The seed's PSI rule has no α to set: its own false-positive rate at ${STRICT.n} is ` +
      `${pct(main.ruleFalsePositive.psiRule?.[i500] ?? Number.NaN)}.`,
    table(
      [
        "shift that matters",
        "ΔAUC",
        "seed: PC1-ADWIN within 1,000",
        `seed: PSI rule @${STRICT.n}`,
        "recommended: ADWINs within 1,000",
        `recommended: ${BATCH_LABELS[batchChoice]} @${STRICT.n}`,
        "caught",
      ],
      goal.mattering.map((m) => {
        const shift = main.shifts.find((s) => s.id === m.id) as ShiftResult;
        return [
          m.id,
          num(m.aucDrop, 3),
          pct(unionRate(shift, ["pc1"])),
          pct(shift.batchRule.psiRule?.[i500] ?? Number.NaN),
          pct(m.streaming),
          pct(m.batch),
          m.caught ? "yes" : "**no**",
        ];
      }),
    ),
    `Every batch detector at the strict operating point (${STRICT.n} embeddings, α = ${STRICT.alpha}, ` +
      `threshold from ${main.settings.strictNullReps} held-out windows):`,
    table(
      ["shift", ...BATCH_DETECTORS.map((d) => BATCH_LABELS[d]), "shipped batchCheck (α = 0.05)"],
      shifts.map((s) => [s.id, ...BATCH_DETECTORS.map((d) => pct(s.strict[d])), pct(s.shipped)]),
    ),
    `The last column is the product's \`batchCheck\` as shipped (PSI/KS gate, then the MMD permutation ` +
      `test at p < 0.05, ${SHIPPED_PERMUTATIONS} permutations here) on ${main.settings.shippedReps} windows of ${STRICT.n}; ` +
      `its own false-positive rate on ${main.settings.shippedNullReps} in-distribution windows is ${pct(main.shippedFalsePositive)}, ` +
      `so run every ${STRICT.n} embeddings it would raise about ${Math.round(main.shippedFalsePositive * (1e5 / STRICT.n))} ` +
      `false alarms per 100,000: fine for a nightly check, not for per-window alerting.`,
  );

  // ---- setup
  p("## Setup");
  p(
    `- **Data**: the ${input.split.reference + input.split.heldOut} LFW photos in \`../shared/data/faces/images\` ` +
      `(deep-funneled 250×250; see its SOURCE.md), split by **person** with seed ${input.seed}: ` +
      `${input.split.reference} photos of ${input.split.referencePeople} reference people fit the reference ` +
      `profile; ${input.split.heldOut} photos of ${input.split.heldOutPeople} held-out people (${pct(input.heldOutShare)} of people) ` +
      `are the production population. Every shift is applied to the held-out photos only; the in-distribution ` +
      `("null") windows and streams are clean held-out photos, so a detector is never rewarded for ` +
      `noticing new people.`,
    `- **Pipeline**: the product's face pipeline in Node on WASM (faceplugin detector, 68 landmarks, ` +
      `similarity alignment, embedder, L2 normalisation), the face nearest the image centre. Embeddings ` +
      `are cached in \`.cache/quality/<model>/<shift>-<params hash>.ndjson\`; a photo where the shifted ` +
      `image lost its face is counted ("no face") and left out of the pool.`,
    `- **Reference profile**: \`fitReferenceProfile\` (stats/src/detectors/reference-profile.ts) with ` +
      `its defaults (10 PCs, decile PSI bins, 500-row MMD sample with frozen median bandwidth), seed ${main.seeds.profile}.`,
    `- **Windows and streams are resampled**: each window of n embeddings is drawn with replacement from ` +
      `a pool of a few hundred distinct faces (${main.nullImages} clean held-out photos; a shifted pool ` +
      `is the same photos shifted). Windows of 500–1,000 therefore repeat faces, and a 100,000-embedding ` +
      `false-alarm stream repeats each face ~150 times. This is the honest limit of a 1,549-photo ` +
      `dataset: at large n the in-distribution windows are resamples of one fixed set of faces, so ` +
      `fixed-threshold tests see that set's own sampling difference from the reference (it shows up ` +
      `as false positives of the fixed rules below), and the calibrated rates compare the same faces ` +
      `clean and shifted.`,
    `- **Seeds**: ${Object.entries(main.seeds)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ", ",
      )} (all derived from ${input.seed}; window s of size index i uses windows + i for the null and ` +
      `windows + 1000·(shift index + 1) + i for a shift; stream replicate r uses streams + 1000·(shift index + 1) + 7919·r). ` +
      `Noise is seeded per photo from (seed, path).`,
    `- **Replicates**: ${main.settings.nullReps} null windows and ${main.settings.shiftReps} shifted windows per ` +
      `size; ${main.settings.streamReps} streams per shift (warm-up ${main.settings.warmup.toLocaleString("en")} ` +
      `in-distribution embeddings, then up to ${main.settings.horizon.toLocaleString("en")} shifted ones); ` +
      `${main.settings.faUpdates.toLocaleString("en")} in-distribution updates per statistic for false alarms.`,
  );

  p("### Detectors");
  p(
    table(
      ["detector", "what it computes", "decision"],
      [
        [
          BATCH_LABELS.psiRule,
          "PSI per PC of the window vs the reference deciles",
          "seed rule: ≥ 3 PCs with PSI ≥ 0.1",
        ],
        [BATCH_LABELS.psiSum, "the same PSI values, summed", "calibrated"],
        [
          BATCH_LABELS.ksBh,
          "two-sample KS per PC vs the reference's projected sample, Benjamini–Hochberg",
          "product: adjusted p < 0.01",
        ],
        [
          BATCH_LABELS.mmd,
          "unbiased MMD² vs the 500-row reference sample, RBF at the frozen bandwidth",
          "product: above the split-half null's q95",
        ],
        [
          BATCH_LABELS.knnRate,
          "share of the window farther (cosine) from every reference embedding than the reference's own 99th percentile of nearest-other distance",
          "calibrated",
        ],
        [
          BATCH_LABELS.ksNn,
          "KS between the window's and the reference's (leave-one-out) nearest-reference distances",
          "p < 0.01",
        ],
        ...FEATURES.map((f) => [
          STREAM_LABEL(f),
          {
            pc1: "the seed's streaming detector: score on the first PC",
            nnDistance: "cosine distance to the nearest reference embedding",
            cosToMean: "cosine similarity to the reference mean direction",
            residual: "squared distance off the 10-PC subspace (what the PCs do not explain)",
          }[f],
          "ADWIN fires (δ calibrated)",
        ]),
      ],
      ["---", "---", "---"],
    ),
    `Batch detection rates are at a 5 % false-positive rate: each detector's threshold is the 95th ` +
      `percentile of its score on ${main.settings.nullReps} in-distribution windows of the same size ` +
      `(ties count as not detected), as Failing Loudly does. The product rules' own false-positive ` +
      `rates are measured separately below.`,
  );

  p("### Shifts");
  p(
    table(
      ["id", "what", "pool (faces found)", "no face"],
      main.shifts.map((s) => [
        s.id,
        s.label,
        s.missing ? `${s.poolSize} (partial: ${s.missing} not extracted)` : String(s.poolSize),
        String(s.noFace),
      ]),
      ["---", "---", "---:", "---:"],
    ),
  );
  if (skipped.length)
    p(
      `Not analysed (extraction incomplete when this page was generated): ${skipped.map((s) => s.id).join(", ")}.`,
    );

  // ---- verification
  p("## How much each shift hurts verification");
  p(
    `AUC and EER of cosine similarity on the ${main.cleanVerification.pairs} LFW View 1 test pairs with both photos ` +
      `of held-out people (${main.cleanVerification.genuine} genuine), both photos shifted; a pair whose shifted ` +
      `photo lost its face scores −1 (a rejection). Clean: AUC ${num(main.cleanVerification.auc)}, EER ${pct(main.cleanVerification.eer)}. ` +
      `The population shifts change who is seen, not the photos, so they have no verification row.`,
    "![AUC lost per shift](detection-quality/verification-impact.svg)",
    table(
      ["shift", "AUC", "ΔAUC", "EER", "pairs without a face"],
      main.shifts.flatMap((s) =>
        s.verification
          ? [
              [
                s.id,
                num(s.verification.auc),
                num(aucDrop(main, s) as number),
                pct(s.verification.eer),
                String(s.verification.pairsWithoutFace),
              ],
            ]
          : [],
      ),
    ),
  );

  // ---- batch
  p("## Detection rate against window size");
  p(
    "Batch detectors at 5 % false positives per window; the two ADWIN lines are the share of streams " +
      "in which ADWIN fired within n embeddings of the shift (at its calibrated δ, so at far fewer false alarms).",
    "![legend](detection-quality/legend.svg)",
    "![detection rate against window size](detection-quality/detection-vs-size.svg)",
  );
  for (const n of [100, 1000]) {
    const i = sizeIndex(n);
    p(
      `Detection rate at n = ${n.toLocaleString("en")}:`,
      table(
        ["shift", ...BATCH_DETECTORS.map((d) => BATCH_LABELS[d])],
        shifts.map((s) => [s.id, ...BATCH_DETECTORS.map((d) => pct(s.batch[d][i] as number))]),
      ),
    );
  }

  p("### The product's fixed rules on in-distribution windows");
  p(
    "False-positive rate of each fixed rule on clean held-out windows (the calibrated rates above do not " +
      "depend on these). Past a few hundred embeddings the windows resample one fixed set of faces, so " +
      "part of the rise with n is that set's own difference from the reference; the PSI rule's failure " +
      "at small n is not.",
    table(
      ["rule", ...SIZES.map(String)],
      (Object.keys(main.ruleFalsePositive) as BatchDetector[]).map((d) => [
        BATCH_LABELS[d],
        ...(main.ruleFalsePositive[d] ?? []).map(pct),
      ]),
    ),
  );

  // ---- streaming
  p("## Streaming detectors: false alarms and delay");
  p(
    `δ is chosen per statistic by \`calibrateAdwinDelta\` (stats/src/detectors/adwin-calibration.ts): ` +
      `the largest δ on the grid whose replay of the reference's own values (500,000 resampled updates, ` +
      `nearest-reference distances leave-one-out) stays within ${num(adwinTarget, 3)} false alarms per 10,000. ` +
      `It is then checked on ${main.settings.faUpdates.toLocaleString("en")} updates of held-out people.`,
    table(
      [
        "statistic",
        "calibrated δ",
        "replay false alarms /10k at that δ",
        "held-out false alarms /10k",
        `held-out /10k at River's δ = ${RIVER_DELTA}`,
      ],
      FEATURES.map((f) => {
        const c = main.streamingCalibration[f];
        const last = c.tried[c.tried.length - 1];
        return [
          STREAM_LABEL(f),
          `${c.delta}${c.met ? "" : " (target not met)"}`,
          num(last?.falseAlarmsPer10k ?? Number.NaN, 3),
          num(c.heldOutPer10k, 3),
          num(c.heldOutPer10kRiver, 3),
        ];
      }),
    ),
    `Median embeddings from an abrupt shift (after ${main.settings.warmup.toLocaleString("en")} in-distribution ones) ` +
      `to the first detection, and in brackets the share of streams detected within ${BUDGET.toLocaleString("en")} (— : fewer than half detected within ${main.settings.horizon.toLocaleString("en")}):`,
    "![legend](detection-quality/streaming-legend.svg)",
    "![median delay](detection-quality/streaming-delay.svg)",
    table(
      ["shift", ...FEATURES.map((f) => FEATURE_LABELS[f]), "recommended (any)"],
      shifts.map((s) => [
        s.id,
        ...FEATURES.map((f) => {
          const d = s.streaming[f].calibrated;
          return `${delayText(medianDelay(d))} (${pct(d.filter((x) => x <= BUDGET).length / d.length)})`;
        }),
        pct(unionRate(s, input.recommended)),
      ]),
    ),
    "ADWIN compares the stream with its own past, so it sees a change, not a level: a stream that is " +
      "shifted from its first embedding (a camera installed already misconfigured) is for the batch checks " +
      "against the reference to catch.",
  );

  // ---- other model
  for (const other of others) {
    const os = analysed(other);
    p(`## The ${other.dimension}-D alternative (${other.model})`);
    p(
      `Same protocol on the shifts extracted for it (the 1024-D embedder costs about three times as much per face). ` +
        `Clean: ${other.referenceImages} reference and ${other.nullImages} held-out photos; held-out AUC ` +
        `${num(other.cleanVerification.auc)} on ${other.cleanVerification.pairs} pairs. A shift set cut short by ` +
        `the extraction budget is analysed from the faces it has and has no ΔAUC; not extracted: ` +
        `${
          other.shifts
            .filter((sh) => !sh.streaming.pc1)
            .map((sh) => sh.id)
            .join(", ") || "none"
        }.`,
      table(
        [
          "shift",
          "ΔAUC",
          ...BATCH_DETECTORS.map((d) => `${BATCH_LABELS[d]} @1,000`),
          "PC1-ADWIN within 1,000",
          "NN-distance ADWIN within 1,000",
        ],
        os.map((s) => [
          s.id,
          aucDrop(other, s) === null ? "n/a" : num(aucDrop(other, s) as number, 3),
          ...BATCH_DETECTORS.map((d) => pct(s.batch[d][i1000] as number)),
          pct(
            s.streaming.pc1.calibrated.filter((d) => d <= BUDGET).length / s.streaming.pc1.calibrated.length,
          ),
          pct(
            s.streaming.nnDistance.calibrated.filter((d) => d <= BUDGET).length /
              s.streaming.nnDistance.calibrated.length,
          ),
        ]),
      ),
      `Held-out false alarms per 10,000 at the calibrated δ: ${FEATURES.map((f) => `${FEATURE_LABELS[f]} ${num(other.streamingCalibration[f].heldOutPer10k, 3)}`).join(", ")}.`,
    );
  }

  p("## What this changes in the product, and what it does not");
  const mmdFp = main.ruleFalsePositive.mmd ?? [];
  const nnFp = main.ruleFalsePositive.ksNn ?? [];
  p(
    `- **ADWIN's δ is calibrated, not fixed** (\`fitReferenceProfile\`, \`adwinTargetPer10k\`, default 0.01 per 10,000): ` +
      `δ is the largest of 0.002, 0.001, 1e-4, … whose replay of the reference's PC1 scores raises at most one false ` +
      `alarm per million updates. On these faces every statistic already meets that at River's 0.002 ` +
      `(held-out false alarms: ${FEATURES.map((f) => `${FEATURE_LABELS[f]} ${num(main.streamingCalibration[f].heldOutPer10k, 3)}`).join(", ")} per 10,000), ` +
      `so the calibration guards other models' heavier-tailed statistics rather than changing δ here. The grid ` +
      `stops at 0.002 on purpose: the replay is i.i.d., a live camera stream is not (one person stays in view ` +
      `for many frames), and a larger δ would be calibrated on the wrong kind of stream.`,
    `- **ADWIN is slow on these shifts.** Its bound needs a large, sustained change in the mean: within ` +
      `${BUDGET.toLocaleString("en")} embeddings the recommended ADWINs catch ` +
      `${shifts.filter((sh) => unionRate(sh, input.recommended) >= CAUGHT_RATE).length} of ${shifts.length} shifts in ` +
      `≥ ${pct(CAUGHT_RATE)} of streams. ADWIN stays as the cheap always-on alarm for gross breaks; the goal ` +
      `rests on the batch window.`,
    `- **The split-half calibrations share people.** The reference's split-half MMD² null and its kNN ` +
      `threshold (99th percentile of nearest-*other* distance) are computed on a reference where one person ` +
      `has several photos, so halves share people and a photo's nearest other is often the same person. New ` +
      `people then look like drift: the shipped MMD²-above-null-q95 rule flags ${mmdFp.map(pct).join(" / ")} of ` +
      `in-distribution windows of ${SIZES.join(" / ")}, and a KS test of nearest-reference distances ` +
      `against the reference's own flags ${nnFp.map(pct).join(" / ")}. Even the shipped \`batchCheck\`, ` +
      `whose MMD p-value is a permutation test, confirms drift on ${pct(main.shippedFalsePositive)} of ` +
      `in-distribution windows of ${STRICT.n}: a reference with several photos per person is not exchangeable ` +
      `with a window of new people (and here the window also resamples one fixed set of faces). The kNN ` +
      `threshold (${num(main.knnThreshold, 3)}) sits below almost every new person's nearest-reference distance, so ` +
      `the novelty rate is near its ceiling on clean windows and has no room to rise under a shift (its 0 % rows). So the kNN ` +
      `novelty rate, the null quantiles and the batch p-value should not be read as calibrated ` +
      `false-positive rates when a reference holds several photos per person; calibrating on held-out ` +
      `people, or splitting the reference by capture session or time when the data has it, is the remedy; embeddings carry no identity.`,
    `- **PSI needs ≥ ${firstSafe ?? "1,000"} embeddings** for the seed rule to stay quiet on in-distribution windows ` +
      `(10 decile bins). In \`batchCheck\` PSI only gates the MMD permutation test, so small windows cost ` +
      `MMD time, not false alarms.`,
    `- **${BATCH_LABELS[bestAt1000[0]?.d ?? "mmd"]} is the strongest single test at 1,000 embeddings** ` +
      `(${bestAt1000[0]?.caught} of ${shifts.length} shifts; Failing Loudly likewise found simple two-sample tests on good ` +
      `representations hard to beat), and at the strict operating point the chosen detector is ${BATCH_LABELS[batchChoice]}. ` +
      `For the goal, run it on a window every ${STRICT.n} embeddings at a threshold set from held-out windows ` +
      `(not reference halves, see above).`,
    `Left as issues: a per-${STRICT.n}-embedding MMD window in the streaming worker (today the batch check runs ` +
      `on a schedule), a PCA-residual ADWIN beside PC1 in \`Pc1Stream\`, and an identity-free split ` +
      `(by time) for the reference's null calibrations.`,
  );

  p(IN_PRODUCT_HEADING, ...IN_PRODUCT);

  p("## Reproduce");
  p(
    "```sh\nnpm run bench:quality                  # extract what is missing (resumable), then regenerate this page\nnpm run bench:quality -- --report-only # regenerate from the cache only\n```",
    "Extraction progress (images/s, ETA) goes to stderr. The full extraction is about 15,000 photo passes " +
      "for the default model; each later run only reads the cache.",
  );
  return `${lines.join("\n").trimEnd()}\n`;
}
