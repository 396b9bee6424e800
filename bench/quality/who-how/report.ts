/**
 * @module
 * Writes docs/who-vs-how.md (tables and charts) from the experiments, and the harm models the
 * product ships (`stats/src/detectors/harm-models.ts`), so the page and the product's severity
 * come from the same run.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CRITICAL_DELTA_AUC, EMBEDDING_HARM_MODELS, HARM_MODELS, type HarmModel } from "@facedrift/stats";
import * as Plot from "@observablehq/plot";
import { JSDOM } from "jsdom";
import { REPO_ROOT } from "../dataset.ts";
import { BENCHMARK_SHIFTS } from "../shift-families.ts";
import {
  FACES_LOST_REPLICATES,
  MAX_FIT_FTE,
  type ModelReport,
  REFERENCE_SIZES,
  runWhoHow,
  STREAM_CHANGED,
  STREAM_CLEAN,
  type StreamOutcome,
} from "./experiments.ts";
import { REPORT_ATTEMPTS } from "./faces-lost.ts";
import { markedSection, replaceMarkedSection } from "./marked-section.ts";
import { WHO_HOW_MODELS } from "./models.ts";
import type { benchmarkSample } from "./sample.ts";

const DOC = join(REPO_ROOT, "docs", "who-vs-how.md");
const CHARTS = join(REPO_ROOT, "docs", "who-vs-how");
const HARM_FILE = join(REPO_ROOT, "stats", "src", "detectors", "harm-models.ts");
const document = new JSDOM("").window.document;

const svg = (plot: unknown) => {
  const el = plot as Element;
  el.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  el.setAttribute("style", "background: white");
  return `${el.outerHTML}\n`;
};

function qqChart(pValues: readonly number[]): string {
  const sorted = [...pValues].sort((a, b) => a - b);
  const points = sorted.map((p, i) => ({ expected: (i + 0.5) / sorted.length, observed: p }));
  return svg(
    Plot.plot({
      document,
      width: 420,
      height: 420,
      x: { label: "expected p (uniform)", domain: [0, 1] },
      y: { label: "observed p, clean windows of new people", domain: [0, 1] },
      marks: [
        Plot.line(
          [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
          { x: "x", y: "y", stroke: "#999" },
        ),
        Plot.dot(points, { x: "expected", y: "observed", r: 1.5 }),
      ],
    }),
  );
}

function harmChart(report: ModelReport): string {
  const points = report.shifts.map((s) => ({
    measured: s.deltaAuc,
    predicted: s.predictedHeldOut,
    id: s.shift.id,
  }));
  const top = Math.max(0.02, ...points.map((p) => Math.max(p.measured, p.predicted))) * 1.05;
  return svg(
    Plot.plot({
      document,
      width: 520,
      height: 460,
      x: { label: "measured ΔAUC (failures counted)", domain: [-0.005, top] },
      y: { label: "predicted ΔAUC, family held out of the fit", domain: [-0.005, top] },
      marks: [
        Plot.line(
          [
            { x: 0, y: 0 },
            { x: top, y: top },
          ],
          { x: "x", y: "y", stroke: "#999" },
        ),
        Plot.ruleX([CRITICAL_DELTA_AUC], { stroke: "#d62728", strokeDasharray: "4 3" }),
        Plot.ruleY([CRITICAL_DELTA_AUC], { stroke: "#d62728", strokeDasharray: "4 3" }),
        Plot.dot(points, {
          x: "measured",
          y: "predicted",
          r: 3,
          fill: (p: { measured: number }) => (p.measured >= CRITICAL_DELTA_AUC ? "#d62728" : "#1f77b4"),
        }),
        Plot.text(
          points.filter((p) => p.measured >= 0.01 || p.predicted >= 0.01),
          { x: "measured", y: "predicted", text: "id", dx: 6, textAnchor: "start", fontSize: 9 },
        ),
      ],
    }),
  );
}

const pct = (a: number, b: number) => (b === 0 ? "—" : `${Math.round((100 * a) / b)} %`);
const median = (v: readonly number[]) => {
  if (v.length === 0) return "—";
  const s = [...v].sort((a, b) => a - b);
  return String(s[Math.floor(s.length / 2)]);
};
const worst = (o: StreamOutcome) =>
  Object.entries(o.worst)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
const severities = (o: StreamOutcome) => {
  const c: Record<string, number> = {};
  for (const s of o.severities) c[s] = (c[s] ?? 0) + 1;
  return (
    Object.entries(c)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ") || "—"
  );
};

/** Per reference size: how many costly changes were caught in ≥ 90 % of replicates, and the false alarms. */
function referenceSummaries(
  r: ModelReport,
  outcomesOf: (row: ModelReport["shifts"][number]) => Record<number, StreamOutcome>,
  alarms: ModelReport["falseAlarms"],
  caughtBy: string,
  anyFindings: string,
): string[] {
  const mattering = r.shifts.filter((s) => s.deltaAuc >= CRITICAL_DELTA_AUC);
  return REFERENCE_SIZES.map((size) => {
    const caught = mattering.filter((s) => {
      const o = outcomesOf(s)[size] as StreamOutcome;
      return o.caught / o.replicates >= 0.9;
    }).length;
    const fa = alarms[size];
    return (
      `- **Reference ${size}**: ${caught} of ${mattering.length} changes that cost ≥ 0.01 AUC caught ${caughtBy} within ${STREAM_CHANGED} embeddings in ≥ 90 % of replicates; ` +
      `false alarms ${fa?.per10k.toFixed(3)} per 10,000 clean embeddings of held-out people (${fa?.input} input findings in ${fa?.embeddings.toLocaleString("en")} embeddings; ${fa?.anyFinding} findings of any detector${anyFindings}).`
    );
  });
}

/** A population case's row: its input findings at both references, then what @800 said. */
function populationCells(a: StreamOutcome, b: StreamOutcome): string {
  const findings =
    Object.entries(b.embeddingFindings)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ") || "none";
  return `${a.caught}/${a.replicates} | ${b.caught}/${b.replicates} | ${worst(b)} | ${findings} |`;
}

function modelSection(r: ModelReport): string[] {
  const lines: string[] = [];
  lines.push(`## ${r.model}`, "");
  lines.push(
    `Clean AUC on the sample's pairs: ${r.cleanAuc.toFixed(4)} (${r.pairs.genuine} genuine, ${r.pairs.impostor} impostor pairs; a changed photo against a clean one).`,
    "",
  );
  lines.push(
    "### References",
    "",
    "| reference | photos | people | quality window | skipped |",
    "|---|---|---|---|---|",
  );
  for (const size of REFERENCE_SIZES) {
    const ref = r.references[size];
    if (!ref) continue;
    const q = ref.quality;
    lines.push(
      `| ${size} | ${ref.rows} | ${ref.people} | ${q ? `windows of ${q.windowSize} every ${q.step}, z > ${q.zCritical.toFixed(2)}, ${q.signals.length} signals; ${q.calibration.note}` : "—"} | ${ref.skipped.join("; ") || "nothing"} |`,
    );
  }
  lines.push("");
  lines.push(
    ...referenceSummaries(
      r,
      (s) => s.streams,
      r.falseAlarms,
      "by the streaming quality window",
      ", all classified",
    ),
  );
  // The error an incident states beside a prediction is the held-out RMSE: how often it holds.
  const fitted = r.shifts.filter((s) => s.failureToExtract <= MAX_FIT_FTE);
  const within = fitted.filter((s) => Math.abs(s.predictedHeldOut - s.deltaAuc) <= r.harm.error.rmse).length;
  lines.push(
    `- **Severity follows harm**: Spearman rank correlation between predicted (family held out) and measured ΔAUC over ${r.shifts.length} changes: **${r.spearman.toFixed(2)}**; held-out error RMSE ${r.harm.error.rmse.toFixed(4)}, largest ${r.harm.error.maxAbs.toFixed(4)} (${r.harm.error.heldOut}); ${within} of ${fitted.length} held-out predictions (changes losing ≤ ${MAX_FIT_FTE * 100} % of faces) lie within that stated error.`,
    "",
  );
  lines.push(
    `![predicted vs measured](who-vs-how/harm-${r.model}.svg) ![QQ plot](who-vs-how/qq-${r.model}.svg)`,
    "",
    "Left: each change's ΔAUC predicted by a harm model fitted without its family, against the measured one (red lines: 0.01). " +
      "Right: QQ plot of the quality window's per-signal p-values on 200 clean windows of held-out people; points above " +
      "the diagonal mean the test is conservative there (its scale factors, measured on unseen reference people, err on the quiet side).",
    "",
    "### Input and pipeline changes",
    "",
    `Streams: ${STREAM_CLEAN} clean embeddings of held-out people, then ${STREAM_CHANGED} changed ones; caught = the quality window (input) fired after the change; delay in embeddings after it; “alerts” is the most severe alert of the changed part per replicate.`,
    "",
    "| change | ΔAUC | FTE | predicted (held out) | caught @500 | caught @800 | delay @800 | input severity @800 | alerts @800 |",
    "|---|---|---|---|---|---|---|---|---|",
  );
  for (const s of [...r.shifts].sort((a, b) => b.deltaAuc - a.deltaAuc)) {
    const a = s.streams[500] as StreamOutcome;
    const b = s.streams[800] as StreamOutcome;
    lines.push(
      `| ${s.shift.id}: ${s.shift.label} | ${s.deltaAuc.toFixed(4)} | ${pct(Math.round(s.failureToExtract * 1000), 1000)} | ${s.predictedHeldOut.toFixed(4)} | ${pct(a.caught, a.replicates)} | ${pct(b.caught, b.replicates)} | ${median(b.delays)} | ${severities(b)} | ${worst(b)} |`,
    );
  }
  lines.push("", ...facesLostSection(r));
  lines.push(
    "",
    "### Population only (who changed, not how)",
    "",
    "| case | distinct photos | input findings @500 | @800 | alerts @800 | embedding findings @800 |",
    "|---|---|---|---|---|---|",
  );
  for (const p of r.population)
    lines.push(
      `| ${p.label} | ${p.distinctRows} | ${populationCells(p.streams[500] as StreamOutcome, p.streams[800] as StreamOutcome)}`,
    );
  lines.push("", markedBlock(withoutQualityName(r.model), bareSection(r)));
  if (r.missing.length) lines.push("", `Not extracted (left out of every table): ${r.missing.join(", ")}.`);
  lines.push("");
  return lines;
}

/**
 * The faces-lost detector over the same order of photos sent as extraction reports: the changes
 * where faces are lost, and the summary counting it beside the quality window.
 */
function facesLostSection(r: ModelReport): string[] {
  const fa = r.facesLostFalseAlarms;
  const caughtBy = (s: ModelReport["shifts"][number], size: number) => {
    const o = s.streams[size] as StreamOutcome;
    return o.caught / o.replicates >= 0.9 || s.facesLost.caught / s.facesLost.replicates >= 0.9;
  };
  const mattering = r.shifts.filter((s) => s.deltaAuc >= CRITICAL_DELTA_AUC);
  const shown = [...r.shifts]
    .filter((s) => s.facesLost.caught > 0 || s.failureToExtract - r.cleanFailureToExtract >= 0.01)
    .sort((a, b) => b.failureToExtract - a.failureToExtract);
  const lines = [
    "### Faces lost (clients that report their attempts)",
    "",
    `The same streams as a client sends them when it reports its extraction attempts with each batch (\`extraction: { id, attempted, no_face }\`, ${REPORT_ATTEMPTS} attempts a report): ${STREAM_CLEAN} clean attempts on held-out people's photos, then ${STREAM_CHANGED} changed ones, each an attempt with or without a face, run through the worker's faces-lost detector (\`stats/src/detectors/extraction-stream.ts\`; ${FACES_LOST_REPLICATES} replicates per change; it needs no reference). Failure to extract on clean photos: ${pct(Math.round(r.cleanFailureToExtract * 1000), 1000)}. Stated rise = the finding's predicted ΔAUC (failures counted as failed comparisons); severity critical at ≥ 0.01.`,
    "",
    ...REFERENCE_SIZES.map(
      (size) =>
        `- **Reference ${size}, with reports**: ${mattering.filter((s) => caughtBy(s, size)).length} of ${mattering.length} changes that cost ≥ 0.01 AUC caught within ${STREAM_CHANGED} embeddings or attempts in ≥ 90 % of replicates by the quality window or the faces-lost detector.`,
    ),
    `- **False alarms of the faces-lost detector**: ${fa.per10k.toFixed(3)} per 10,000 clean attempts (${fa.findings} findings in ${fa.attempts.toLocaleString("en")} attempts).`,
    "",
    "| change | ΔAUC | FTE | caught | delay (attempts, median) | stated rise (median) | severity |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const s of shown) {
    const o = s.facesLost;
    const c: Record<string, number> = {};
    for (const v of o.severities) c[v] = (c[v] ?? 0) + 1;
    lines.push(
      `| ${s.shift.id} | ${s.deltaAuc.toFixed(4)} | ${pct(Math.round(s.failureToExtract * 1000), 1000)} | ${pct(o.caught, o.replicates)} | ${median(o.delays)} | ${o.stated.length ? median(o.stated.map((v) => Number(v.toFixed(4)))) : "—"} | ${
        Object.entries(c)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ") || "—"
      } |`,
    );
  }
  return lines;
}

const withoutQualityName = (model: string) => `without-quality-${model}`;
const markedBlock = (name: string, lines: string[]) =>
  replaceMarkedSection("", name, lines.join("\n")).trim();

/** The same streams against references fitted from the embeddings alone (no quality signals). */
function bareSection(r: ModelReport): string[] {
  const lines = [
    "### Without quality signals (embeddings only)",
    "",
    "A client that sends embeddings without `metadata.quality` gets a reference without the quality window. Each finding of PC1, the residual or the MMD window is then put to the detail test (`detailTest` in `stats/src/detectors/residual-level.ts`): do the finding's rows keep less identity detail (their mean PCA residual, each face's read net of how typical it looks: its distance from the mean face times the slope among the reference's faces, since people near the mean face have less detail of their own) than *new people* of an unchanged pipeline, whoever they are? The null is the cross-fitted level of the reference's people with the quality window's variance model (between- and within-person variance, the window's people found at the same-person threshold, exact repeats collapsed), one-sided α = 0.01. Detail lost (or the residual more than 0.5 face σ above the level: embeddings off the face space) → input, priced by the embedder's harm model from that residual: critical at ≥ 0.01 AUC predicted, else warning. Anything else → population (info): a new population, or a change that keeps identity detail, which the embeddings alone cannot tell apart. (Before, a person test decided — the finding's rows against the reference's people, whole people permuted — and called new populations input, 6 of 6 look-alike groups; without the typicality term the 120 most typical-looking people read as detail lost in each stream tried, 2 per reference.) Same streams as above.",
    "",
  ];
  lines.push(...referenceSummaries(r, (s) => s.bare, r.bareFalseAlarms, "as input", ""));
  if (r.embeddingHarm && r.embeddingSpearman !== null) {
    const fitted = r.shifts.filter((s) => s.failureToExtract <= MAX_FIT_FTE);
    const within = fitted.filter(
      (s) =>
        Math.abs((s.predictedEmbeddingHeldOut as number) - s.deltaAuc) <= (r.embeddingHarm?.error.rmse ?? 0),
    ).length;
    lines.push(
      `- **Severity from the embeddings alone**: Spearman rank correlation between predicted (family held out) and measured ΔAUC over ${r.shifts.length} changes: **${r.embeddingSpearman.toFixed(2)}**; held-out error RMSE ${r.embeddingHarm.error.rmse.toFixed(4)}, largest ${r.embeddingHarm.error.maxAbs.toFixed(4)}; ${within} of ${fitted.length} held-out predictions lie within that stated error.`,
    );
  }
  lines.push(
    "",
    "| change | ΔAUC | predicted (held out) | caught @500 | caught @800 | delay @800 | input severity @800 | alerts @800 |",
    "|---|---|---|---|---|---|---|---|",
  );
  for (const s of [...r.shifts].sort((a, b) => b.deltaAuc - a.deltaAuc)) {
    const a = s.bare[500] as StreamOutcome;
    const b = s.bare[800] as StreamOutcome;
    lines.push(
      `| ${s.shift.id} | ${s.deltaAuc.toFixed(4)} | ${s.predictedEmbeddingHeldOut === null ? "—" : s.predictedEmbeddingHeldOut.toFixed(4)} | ${pct(a.caught, a.replicates)} | ${pct(b.caught, b.replicates)} | ${median(b.delays)} | ${severities(b)} | ${worst(b)} |`,
    );
  }
  lines.push(
    "",
    "| population case | input findings @500 | @800 | alerts @800 | embedding findings @800 |",
    "|---|---|---|---|---|",
  );
  for (const p of r.population)
    lines.push(
      `| ${p.label} | ${populationCells(p.bare[500] as StreamOutcome, p.bare[800] as StreamOutcome)}`,
    );
  if (r.missing.length)
    lines.push("", `Changes not extracted when this section was measured: ${r.missing.join(", ")}.`);
  return lines;
}

/**
 * `npm run bench:who-how -- --without-quality-only`: measures and rewrites only the "Without
 * quality signals" section of each model (a marked section of docs/who-vs-how.md), from whatever
 * the cache holds — the rest of the page, and the harm models, stay as the last full run left them.
 */
export async function writeWithoutQualitySections(
  sample: ReturnType<typeof benchmarkSample>,
  models: readonly string[],
): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  let page = readFileSync(DOC, "utf8");
  for (const model of models) {
    const r = await runWhoHow(sample, model, {
      replicates: REPLICATES[model] ?? 4,
      log,
      withoutQualityOnly: true,
    });
    // A page without the section gets it at the end of the model's part.
    page = replaceMarkedSection(
      page,
      withoutQualityName(model),
      bareSection(r).join("\n"),
      `<!-- ${modelName(model)}:end -->`,
    );
  }
  writeFileSync(DOC, page);
  execFileSync("npx", ["biome", "format", "--write", DOC], { stdio: "ignore" });
  log(`wrote the without-quality sections of ${DOC}`);
}

function harmModule(models: HarmModel[], embeddingModels: HarmModel[]): string {
  const entries = (list: HarmModel[]) =>
    list.map((m) => `  ${JSON.stringify(m.model)}: ${JSON.stringify(m)},`).join("\n");
  const body = entries(models);
  return `/**
 * @module
 * The harm models shipped with Facedrift, one per built-in embedder, written by
 * \`npm run bench:who-how\` (bench/quality/who-how/) from its measurements — do not edit by hand.
 * An embedder without one gets input findings rated \`warning\` with no predicted cost.
 */
import type { HarmModel } from "./harm-model.ts";

export const HARM_MODELS: Readonly<Record<string, HarmModel>> = {
${body}
};

/**
 * Harm models from the embeddings alone (the \`embeddingResidual\` term), for streams whose
 * reference carries no quality signals: an input finding there (the detail test's verdict) is
 * priced by them. An embedder without one gets such findings rated \`warning\`.
 */
export const EMBEDDING_HARM_MODELS: Readonly<Record<string, HarmModel>> = {
${entries(embeddingModels)}
};
`;
}

/** Replicate streams per case and reference: the 512-D embedder costs about twice as much per window. */
const REPLICATES: Record<string, number> = { "faceapi-recognition128": 6, "faceplugin-feature512": 4 };

export async function writeWhoHowReport(
  sample: ReturnType<typeof benchmarkSample>,
  models: readonly string[] = WHO_HOW_MODELS,
  /** Replicate streams per case and reference, instead of each embedder's default. */
  replicates?: number,
): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const reports: ModelReport[] = [];
  const used = { ...REPLICATES };
  for (const model of models) {
    const started = Date.now();
    used[model] = replicates ?? REPLICATES[model] ?? 4;
    reports.push(await runWhoHow(sample, model, { replicates: used[model] as number, log }));
    log(`${model}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  mkdirSync(CHARTS, { recursive: true });
  for (const r of reports) {
    writeFileSync(join(CHARTS, `harm-${r.model}.svg`), harmChart(r));
    writeFileSync(join(CHARTS, `qq-${r.model}.svg`), qqChart(r.cleanPValues));
  }
  // A run for some embedders rewrites their sections and harm models and keeps the others'.
  let page = [
    ...header(sample, used),
    ...WHO_HOW_MODELS.map((model) => modelBlock(model, [`## ${model}`, "", "Not measured yet."])),
  ].join("\n");
  if (models.length < WHO_HOW_MODELS.length) {
    const old = readFileSync(DOC, "utf8");
    for (const model of WHO_HOW_MODELS)
      if (!models.includes(model)) page = replaceMarkedSection(page, modelName(model), modelPart(old, model));
  }
  for (const r of reports) page = replaceMarkedSection(page, modelName(r.model), modelSection(r).join("\n"));
  writeFileSync(DOC, `${page.trimEnd()}\n`);
  const harm = WHO_HOW_MODELS.map(
    (model) => reports.find((r) => r.model === model)?.harm ?? HARM_MODELS[model],
  ).filter((m): m is HarmModel => m !== undefined);
  const embeddingHarm = WHO_HOW_MODELS.map((model) =>
    reports.some((r) => r.model === model)
      ? reports.find((r) => r.model === model)?.embeddingHarm
      : EMBEDDING_HARM_MODELS[model],
  ).filter((m): m is HarmModel => m !== undefined && m !== null);
  writeFileSync(HARM_FILE, harmModule(harm, embeddingHarm));
  execFileSync("npx", ["biome", "format", "--write", DOC, HARM_FILE], { stdio: "ignore" });
  log(`wrote ${DOC}, ${CHARTS} and ${HARM_FILE}`);
}

const modelName = (model: string) => `model-${model}`;
const modelBlock = (model: string, lines: string[]) => markedBlock(modelName(model), lines);

/**
 * The model's part of a page: its marked section's body, or on a page written before the marks,
 * everything from its heading to the next model's.
 */
function modelPart(page: string, model: string): string {
  const marked = markedSection(page, modelName(model));
  if (marked) return marked.slice(marked.indexOf("\n"), marked.lastIndexOf("\n")).trim();
  const from = page.indexOf(`\n## ${model}\n`);
  if (from < 0) return `## ${model}\n\nNot measured yet.`;
  const next = WHO_HOW_MODELS.map((m) => page.indexOf(`\n## ${m}\n`, from + 1)).filter((i) => i > from);
  return page.slice(from, next.length ? Math.min(...next) : page.length).trim();
}

function header(sample: ReturnType<typeof benchmarkSample>, replicates: Record<string, number>): string[] {
  const families = new Set(BENCHMARK_SHIFTS.map((s) => s.family));
  return [
    "# Who versus how: detection that separates population from input changes",
    "",
    "<!-- Generated by `npm run bench:who-how`; do not edit by hand. -->",
    "",
    `What the product's default configuration does, measured with its own code (reference fit, streaming detectors, harm model) on LFW photos split by person: ${families.size} families of image and pipeline changes (strong and mild, plus resolution and compression ladders: ${BENCHMARK_SHIFTS.length} changes) applied to ${sample.shifted.length} photos of ${new Set(sample.shifted.map((s) => s.split("/")[0])).size} held-out people, population-only changes, and references of ${REFERENCE_SIZES.join(" and ")} photos of reference people. Replicate streams per case and reference: ${WHO_HOW_MODELS.map((m) => `${replicates[m] ?? 4} (${m})`).join(", ")}.`,
    "",
    "How it works (`stats/src/detectors/quality-window.ts`): each face's quality signals (face size, detector score, sharpness, brightness, contrast, clipping, colourfulness, noise, landmark alignment error, the embedder's output norm) are averaged over sliding windows; the null variance of a window mean is `b·Σ(n_c/n)² + w/n`, with `b`/`w` the between/within-person variance of the signal in the reference and `n_c` the sizes of the window's people found by clustering at the model's same-person threshold (exact repeats collapsed first), so a window of few people is not mistaken for a capture change. Embedding statistics (PC1, residual, MMD) report population changes (informational) unless the quality window fired within two windows. An input finding's severity is the harm model's predicted verification cost: critical at ≥ 0.01 AUC, else warning. The harm model reads the window's quality effects and, where its embedder's model has the term, the window's mean PCA residual against the level new people show (`stats/src/detectors/residual-level.ts`, cross-fitted over the reference's people): degraded input loses identity detail and falls towards the reference's main directions.",
    "",
    'A change that loses every face (pixelate-strong below: "no faces: stream silent") leaves no embedding for these statistics to test. It is caught by the faces-lost detectors instead, which count failures to extract: on image uploads (`faces-lost`), and on streams of embeddings whose clients report their attempts with each batch (`extraction: { id, attempted, no_face }` on `POST /v1/streams/{stream}/embeddings`; `faces-lost-stream`, `stats/src/detectors/extraction-stream.ts`), where a jump from 2 % to 60 % or 100 % of attempts without a face is reported within 600 attempts (200 of 200 seeded runs, median 311) as a critical input finding. Streams whose clients send no reports stay blind to it.',
    "",
  ];
}
