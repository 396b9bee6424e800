/**
 * @module
 * The main-thread facade of the capture worker: numbers the requests, transfers frames instead of
 * copying them, and turns `failed` responses into thrown errors. Nothing here blocks: every call
 * is a message to the worker.
 */
import * as Comlink from "comlink";
import type { FaceChoice, FaceWorkerApi, ResponseTo, WorkerRequest, WorkerResponse } from "./protocol.ts";

/** A `failed` response, thrown. */
export class WorkerError extends Error {
  constructor(
    readonly request: WorkerRequest["type"],
    message: string,
  ) {
    super(`worker ${request}: ${message}`);
    this.name = "WorkerError";
  }
}

/** Distributes the request type over the union, so `{ type: "load", … }` keeps its own fields. */
type Omitted<T> = T extends unknown ? Omit<T, "id"> : never;

export class FaceClient {
  readonly #worker: Worker;
  readonly #remote: Comlink.Remote<FaceWorkerApi>;
  #nextId = 1;

  constructor(worker: Worker = new Worker(new URL("./face.worker.ts", import.meta.url), { type: "module" })) {
    this.#worker = worker;
    this.#remote = Comlink.wrap<FaceWorkerApi>(worker);
  }

  /** Loads the models; resolves with the engines and the embedder in use. */
  load(bases: { modelsBase: string; tfjsWasmBase: string }): Promise<ResponseTo<"load">> {
    return this.#send({ type: "load", ...bases }, []);
  }

  /** Runs the pipeline on one frame; the bitmap is transferred and unusable afterwards. */
  process(frame: ImageBitmap, select?: FaceChoice): Promise<ResponseTo<"process">> {
    return this.#send({ type: "process", frame, ...(select ? { select } : {}) }, [frame]);
  }

  /** Runs the pipeline on several frames in batched model runs; the bitmaps are transferred. */
  processBatch(
    frames: ImageBitmap[],
    batchSize: number,
    select?: FaceChoice,
  ): Promise<ResponseTo<"process-batch">> {
    return this.#send({ type: "process-batch", frames, batchSize, ...(select ? { select } : {}) }, frames);
  }

  /**
   * Embeds the last processed frame's face with another embedder (a stream's candidate model), or
   * the face of frame `item` of the last `processBatch`.
   */
  again(embedder: { id: string; version: string }, item?: number): Promise<ResponseTo<"again">> {
    // A plain copy: callers may hold a reactive proxy, which postMessage cannot clone.
    const model = { id: embedder.id, version: embedder.version };
    return this.#send({ type: "again", embedder: model, ...(item === undefined ? {} : { item }) }, []);
  }

  terminate(): void {
    this.#remote[Comlink.releaseProxy]();
    this.#worker.terminate();
  }

  async #send<R extends Omitted<WorkerRequest>>(
    request: R,
    transfer: Transferable[],
  ): Promise<ResponseTo<R["type"]>> {
    const id = this.#nextId++;
    const message = { ...request, id } as WorkerRequest;
    const response: WorkerResponse = await this.#remote.handle(Comlink.transfer(message, transfer));
    if (response.type === "failed") throw new WorkerError(response.request, response.message);
    if (response.id !== id)
      throw new WorkerError(request.type, `answer to request ${response.id}, not ${id}`);
    return response as ResponseTo<R["type"]>;
  }
}
