/**
 * @module
 * face-api recognises only a window (with `document` and `HTMLCanvasElement`) or Node, so in a
 * worker its `getEnv()` throws "environment is not defined" while loading a net. The worker never
 * hands face-api an image element (the pipeline passes tensors), so an environment built on
 * OffscreenCanvas, with element factories that refuse, is enough. It must be set before
 * `createBrowserEngines()` loads a face-api net; the adapter and this module share one face-api
 * instance because both import the same `esm-nobundle` file.
 */
import type * as FaceApi from "@vladmandic/face-api";
import * as faceapi from "@vladmandic/face-api/dist/face-api.esm-nobundle.js";

/** Stands in for the DOM classes a worker lacks: nothing is ever an instance of it. */
class NotInAWorker {}

const refuse = (what: string) => () => {
  throw new Error(`face-api: ${what} elements do not exist in a worker; pass tensors`);
};

export function setWorkerEnvironment(): void {
  const api = faceapi as unknown as typeof FaceApi;
  if (api.env.isBrowser() || api.env.isNodejs()) return;
  const environment = {
    Canvas: OffscreenCanvas,
    CanvasRenderingContext2D: OffscreenCanvasRenderingContext2D,
    Image: NotInAWorker,
    ImageData,
    Video: NotInAWorker,
    createCanvasElement: () => new OffscreenCanvas(1, 1),
    createImageElement: refuse("image"),
    createVideoElement: refuse("video"),
    fetch: (url: string, init?: RequestInit) => fetch(url, init),
    readFile: refuse("file"),
  };
  api.env.setEnv(environment as unknown as FaceApi.Environment);
}
