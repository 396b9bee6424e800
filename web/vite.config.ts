import { sveltekit } from "@sveltejs/kit/vite";
import { register } from "tsx/esm/api";
import { defineConfig } from "vite";
import { MODELS_DIR, TFJS_WASM_DIR } from "./src/lib/worker/protocol.ts";
import { offlineFiles } from "./tooling/offline-files.ts";

// The workspace packages ship TypeScript sources (no build step). Vite bundles this file but leaves
// packages to Node, which cannot import `.ts` by itself on Node 20; tsx's loader lets the model
// registry be read from the same source the worker uses.
// The URL is built at run time so that the bundler leaves the import to Node (after `register()`).
register();
const models: typeof import("./src/lib/worker/models.ts") = await import(
  new URL("./src/lib/worker/models.ts", import.meta.url).href
);

// In production the Hono server serves the app and the API from one origin; `vite dev` and
// `vite preview` forward the API to a `facedrift serve` instead (default port 8080).
const api = { "/v1": process.env.FACEDRIFT_API_URL ?? "http://127.0.0.1:8080" };

export default defineConfig({
  plugins: [
    sveltekit(),
    offlineFiles({
      entries: models.CAPTURE_ENTRIES,
      modelsDir: MODELS_DIR,
      runtimes: [
        {
          package: "@tensorflow/tfjs-backend-wasm",
          // Plain, SIMD and threaded SIMD: tfjs picks one by what the browser supports.
          files: [
            "tfjs-backend-wasm.wasm",
            "tfjs-backend-wasm-simd.wasm",
            "tfjs-backend-wasm-threaded-simd.wasm",
          ].map((name) => `dist/${name}`),
          dir: TFJS_WASM_DIR,
        },
      ],
    }),
  ],
  worker: { format: "es" },
  server: { proxy: api },
  preview: { proxy: api },
  // onnxruntime-web finds its .wasm through `new URL(…, import.meta.url)`; pre-bundling would move
  // the module away from the file, so dev serves it as is.
  optimizeDeps: { exclude: ["onnxruntime-web"] },
});
