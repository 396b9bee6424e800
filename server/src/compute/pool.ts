/**
 * @module
 * The main-thread facade of the compute workers (`worker.ts`): a few worker threads, started on
 * first use and kept, each running one task at a time from a bounded queue. CPU-heavy statistics
 * (reference fits with their kNN threshold, batch checks, verification metrics) go through
 * `compute()`, so the thread that answers HTTP, `/healthz` included, stays free while they run.
 *
 * Idle workers do not keep the process alive; busy ones do. A worker that dies fails its task
 * and is replaced on the next one. Big matrices are transferred to the worker and back instead of
 * copied (a 200,000 × 512 fit input is 400 MB).
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { FacedriftError } from "../errors.ts";
import type { ComputeRequest, ComputeResponse, ComputeResult, ComputeTask } from "./protocol.ts";

interface Pending {
  request: ComputeRequest;
  transfer: ArrayBuffer[];
  resolve(result: unknown): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  running: Pending | null;
}

const ENTRY = new URL("./worker-entry.mjs", import.meta.url);

/** Tasks waiting beyond the running ones; past it, callers get a 503 to retry. */
export const MAX_QUEUED_TASKS = 64;

/** A buffer can be moved to the worker when the array views all of it. */
function ownBuffers(arrays: (ArrayBufferView | undefined)[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const a of arrays) {
    if (a && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer) {
      buffers.add(a.buffer);
    }
  }
  return [...buffers];
}

function transferOf(task: ComputeTask): ArrayBuffer[] {
  // Only the fit's matrix comes back; the others are copied so the caller keeps its arrays.
  return task.kind === "fit-reference" ? ownBuffers([task.x]) : [];
}

export class ComputePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`a compute pool needs ≥ 1 thread, got ${size}`);
  }

  compute<T extends ComputeTask>(task: T): Promise<ComputeResult<T>> {
    if (this.closed) return Promise.reject(new Error("the compute pool is closed"));
    if (this.queue.length >= MAX_QUEUED_TASKS) {
      return Promise.reject(
        new FacedriftError("unavailable", "the server is busy with other computations; retry shortly"),
      );
    }
    return new Promise<ComputeResult<T>>((resolve, reject) => {
      this.queue.push({
        request: { id: this.nextId++, task },
        transfer: transferOf(task),
        resolve: resolve as (result: unknown) => void,
        reject,
      });
      this.dispatch();
    });
  }

  /** Tasks running and waiting: for tests and metrics. */
  get load(): { running: number; queued: number } {
    return { running: this.slots.filter((s) => s.running).length, queued: this.queue.length };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new Error("the compute pool is closed"));
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.running);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const pending = this.queue.shift() as Pending;
      slot.running = pending;
      slot.worker.ref();
      slot.worker.postMessage(pending.request, pending.transfer);
    }
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(ENTRY), running: null };
    slot.worker.on("message", (response: ComputeResponse) => {
      const pending = slot.running;
      if (!pending || pending.request.id !== response.id) return;
      slot.running = null;
      slot.worker.unref();
      if (response.ok) pending.resolve(response.result);
      else pending.reject(Object.assign(new Error(response.error.message), { name: response.error.name }));
      this.dispatch();
    });
    const fail = (error: Error) => {
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      slot.running?.reject(error);
      slot.running = null;
      if (!this.closed) this.dispatch();
    };
    slot.worker.on("error", (error: unknown) =>
      fail(error instanceof Error ? error : new Error(String(error))),
    );
    slot.worker.on("exit", (code) => fail(new Error(`a compute worker exited (code ${code})`)));
    slot.worker.unref();
    this.slots.push(slot);
    return slot;
  }
}

/** Default threads: the cores but one (for the HTTP thread), between 1 and 4. */
export function defaultComputeThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

let shared: ComputePool | undefined;
let sharedSize = defaultComputeThreads();

/** Sets the process's pool size (`FACEDRIFT_COMPUTE_THREADS`); applies to the next pool made. */
export function setComputeThreads(size: number): void {
  if (shared && shared.size !== size) {
    void shared.close();
    shared = undefined;
  }
  sharedSize = size;
}

/** Runs `task` on the process's compute pool. */
export function compute<T extends ComputeTask>(task: T): Promise<ComputeResult<T>> {
  shared ??= new ComputePool(sharedSize);
  return shared.compute(task);
}
