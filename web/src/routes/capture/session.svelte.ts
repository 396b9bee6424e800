/**
 * @module
 * One capture session: camera → worker → sampler → outbox → uploader, with the state the page
 * shows. The frame loop awaits the worker, so at most one frame is in flight and a slow backend
 * lowers the analysis rate instead of piling frames up; the main thread only grabs bitmaps.
 */
import type { Box, FaceQuality } from "@facedrift/models";
import { FaceClient } from "$lib/worker/client.ts";
import { runnableEmbedder } from "$lib/worker/models.ts";
import type { EngineInfo, FrameFace, ResponseTo } from "$lib/worker/protocol.ts";
import { type QualityHint, qualityHints } from "./hints.ts";
import { encodeEmbedding, sendBatch } from "./ingest.ts";
import { type OutboxRecord, openOutbox } from "./outbox.ts";
import { createSampler, DEFAULT_DUPLICATE_COSINE, type Sampler } from "./sampler.ts";
import type { CaptureSettings } from "./settings.ts";
import {
  loadTransition,
  type ModelRef,
  modelsForFace,
  saveTransition,
  type Transition,
} from "./transition.ts";
import { createUploader, type Uploader, type UploaderStatus } from "./uploader.ts";

/** Frames analysed per second at most (for the live box), unless more faces per second are wanted. */
const ANALYSIS_HZ = 4;
/** Beyond this many queued faces, new ones are not queued (a week offline should not fill the disk). */
export const MAX_QUEUED = 5_000;

export interface SeenFace {
  box: Box;
  quality: FaceQuality;
  hints: QualityHint[];
  frameWidth: number;
  frameHeight: number;
}

export type Phase = "idle" | "loading" | "running" | "failed";

export class CaptureSession {
  phase = $state<Phase>("idle");
  engines = $state<EngineInfo[]>([]);
  /** Why the engines are WASM although WebGPU was the first choice (a WebGPU failure), if so. */
  engineFallback = $state<string | null>(null);
  upload = $state<UploaderStatus>({
    queued: 0,
    sent: 0,
    duplicates: 0,
    rejected: 0,
    lastError: null,
    nextAttemptAt: null,
  });
  face = $state<SeenFace | null>(null);
  framesAnalysed = $state(0);
  nearDuplicates = $state(0);
  lastFrameMs = $state<number | null>(null);
  error = $state<string | null>(null);
  /** The stream's model transition as the last ingest answer told it (null: one model). */
  transition = $state<Transition | null>(null);
  /** Faces also sent with the stream's candidate model this session. */
  candidateSent = $state(0);

  readonly #client = new FaceClient();
  readonly #settings: () => CaptureSettings;
  readonly #device: string;
  #models: ResponseTo<"load"> | undefined;
  #uploader: Uploader | undefined;
  #sampler: Sampler;
  #stream: MediaStream | undefined;
  #run: symbol | null = null;
  readonly #onOnline = () => void this.#uploader?.retryNow();

  constructor(options: { settings: () => CaptureSettings; device: string }) {
    this.#settings = options.settings;
    this.#device = options.device;
    this.#sampler = this.#newSampler();
  }

  /** Opens the outbox and starts draining it; safe before consent (it sends only queued faces). */
  async openOutbox(): Promise<void> {
    if (this.#uploader) return;
    this.transition = loadTransition(localStorage, this.#settings().stream);
    const outbox = await openOutbox();
    this.#uploader = createUploader({
      outbox,
      send: async (records) => {
        const settings = this.#settings();
        const first = records[0] as OutboxRecord;
        const result = await sendBatch({
          apiBase: settings.apiBase,
          apiKey: settings.apiKey,
          stream: first.stream,
          model: first.model,
          items: records.map((record) => record.item),
        });
        if (result.kind === "stored" && first.stream === settings.stream) {
          this.transition = result.transition ?? null;
          saveTransition(localStorage, first.stream, this.transition);
        }
        return result;
      },
      onStatus: (status) => {
        this.upload = status;
      },
    });
    addEventListener("online", this.#onOnline);
    await this.#uploader.flush();
  }

  /** Loads the models and opens the camera, then analyses frames until `stop()`. */
  async start(video: HTMLVideoElement, bases: { modelsBase: string; tfjsWasmBase: string }): Promise<void> {
    if (this.#run !== null) return;
    // A token per run: a stop() while the camera or models are still opening ends this run even
    // if a later start() has begun another.
    const run = Symbol("capture run");
    this.#run = run;
    this.phase = "loading";
    this.error = null;
    try {
      const [models, stream] = await Promise.all([
        this.#client.load(bases),
        navigator.mediaDevices.getUserMedia({
          video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: "user" },
          audio: false,
        }),
      ]);
      this.#models = models;
      this.engines = models.engines;
      this.engineFallback = models.fallback ?? null;
      if (this.#run !== run) {
        for (const track of stream.getTracks()) track.stop();
        return;
      }
      this.#stream = stream;
      video.srcObject = stream;
      await video.play();
      this.phase = "running";
      await this.#loop(video, run);
    } catch (error) {
      if (this.#run !== run) return;
      this.#run = null;
      this.phase = "failed";
      this.error = error instanceof Error ? error.message : String(error);
      this.#releaseCamera();
    }
  }

  /**
   * Stops analysing and releases the camera (its light goes off); queued faces keep uploading.
   * A running session turns `idle` once the frame in flight is handled, so no face is queued after.
   */
  stop(): void {
    this.#run = null;
    this.#releaseCamera();
    this.face = null;
    if (this.phase === "loading") this.phase = "idle";
  }

  /** Applies changed settings: a new rate, and a retry in case the key or server was the problem. */
  settingsChanged(): void {
    this.#sampler = this.#newSampler();
    this.transition = loadTransition(localStorage, this.#settings().stream);
    void this.#uploader?.retryNow();
  }

  retryNow(): void {
    void this.#uploader?.retryNow();
  }

  dispose(): void {
    this.stop();
    removeEventListener("online", this.#onOnline);
    this.#uploader?.stop();
    this.#client.terminate();
  }

  #newSampler(): Sampler {
    return createSampler({ rateHz: this.#settings().rateHz, duplicateCosine: DEFAULT_DUPLICATE_COSINE });
  }

  #releaseCamera() {
    for (const track of this.#stream?.getTracks() ?? []) track.stop();
    this.#stream = undefined;
  }

  async #loop(video: HTMLVideoElement, run: symbol) {
    while (this.#run === run) {
      const started = performance.now();
      if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && video.videoWidth > 0) {
        const capturedAt = new Date();
        const result = await this.#client.process(await createImageBitmap(video));
        this.framesAnalysed++;
        this.lastFrameMs = result.totalMs;
        if (this.#run === run) await this.#onFrame(result, capturedAt);
      }
      const wait = 1000 / Math.max(ANALYSIS_HZ, this.#settings().rateHz) - (performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
    }
    if (this.#run === null) this.phase = "idle";
  }

  async #onFrame(result: ResponseTo<"process">, capturedAt: Date) {
    this.engines = result.engines;
    this.engineFallback = result.fallback ?? null;
    const face = result.faces[0];
    if (!face) {
      // Not counted, and no extraction report is sent (`extraction` on the ingest API): a frame
      // without a face here is mostly nobody in front of the camera, so its share follows the
      // foot traffic (near 100 % at night) rather than the pipeline, and the stream's faces-lost
      // detector would take an empty hall for a failure (docs/incidents.md, "Faces lost").
      this.face = null;
      return;
    }
    const hints = qualityHints(face.quality);
    this.face = {
      box: face.box,
      quality: face.quality,
      hints,
      frameWidth: result.width,
      frameHeight: result.height,
    };
    const verdict = this.#sampler.consider(face.embedding, performance.now());
    if (verdict === "duplicate") this.nearDuplicates++;
    if (verdict !== "send" || !this.#uploader || !this.#models) return;
    if (this.upload.queued >= MAX_QUEUED) {
      this.error = `outbox full (${MAX_QUEUED} faces): new faces are not queued until it drains`;
      return;
    }
    const { embedder } = this.#models;
    const id = crypto.randomUUID();
    const fallback = { id: embedder.id, version: embedder.version };
    const runs = (model: ModelRef) => runnableEmbedder(model) !== undefined;
    // Once per model the stream's transition asks for (`transition.ts`), under one face id: the
    // server keeps ids per model track, so the same id pairs a face's embeddings across models.
    for (const [index, model] of modelsForFace(this.transition, id, fallback, runs).entries()) {
      const isDefault = model.id === embedder.id && model.version === embedder.version;
      let seen: FrameFace | null = face;
      if (!isDefault) {
        try {
          seen = (await this.#client.again(model)).face;
        } catch (error) {
          // The current model's face still goes out; the other model's is missed, and said so.
          this.error = `${model.id}@${model.version}: ${error instanceof Error ? error.message : String(error)}`;
          continue;
        }
      }
      if (!seen) continue;
      if (index > 0) this.candidateSent++;
      await this.#enqueue(
        isDefault ? id : `${id}@${model.id}@${model.version}`,
        id,
        model,
        seen,
        result,
        capturedAt,
        hints,
      );
    }
  }

  async #enqueue(
    recordId: string,
    id: string,
    model: ModelRef,
    face: FrameFace,
    result: ResponseTo<"process">,
    capturedAt: Date,
    hints: QualityHint[],
  ) {
    if (!this.#uploader || !this.#models) return;
    const settings = this.#settings();
    const { detector, landmarker } = this.#models;
    const queuedAt = Date.now();
    await this.#uploader.enqueue({
      id: recordId,
      stream: settings.stream,
      // A plain copy: `model` may come from the reactive transition (a proxy IndexedDB cannot clone).
      model: { id: model.id, version: model.version },
      attempts: 0,
      nextAttemptAt: queuedAt,
      queuedAt,
      item: {
        id,
        ts: capturedAt.toISOString(),
        embedding_b64: encodeEmbedding(face.embedding),
        source: "browser",
        device: this.#device,
        metadata: {
          quality: face.quality,
          hints,
          box: face.box,
          frame: { width: result.width, height: result.height },
          detector: `${detector.id}@${detector.version}`,
          landmarker: `${landmarker.id}@${landmarker.version}`,
          engine: this.engines.map((e) => `${e.runtime}/${e.backend}`).join(","),
          ...(this.engineFallback ? { fallback: this.engineFallback } : {}),
          app: "facedrift-capture",
        },
      },
    });
  }
}
