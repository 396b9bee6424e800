import adapter from "@sveltejs/adapter-static";
import { vitePreprocess } from "@sveltejs/vite-plugin-svelte";

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    // Static files in web/build/: public pages are prerendered; 200.html is the SPA fallback the Hono
    // server will answer for app routes that cannot be prerendered (the dashboard, behind a login).
    adapter: adapter({ pages: "build", assets: "build", fallback: "200.html", strict: true }),
    serviceWorker: { register: true },
    // Inline bootstrap scripts are allowed by hash, so the page's CSP (a <meta> tag on prerendered
    // pages) needs no 'unsafe-inline'. WASM compilation and blob: workers are what the face
    // pipeline needs; the server sends the same policy as a header for the API.
    csp: {
      mode: "hash",
      directives: {
        "default-src": ["self"],
        "script-src": ["self", "wasm-unsafe-eval"],
        "worker-src": ["self", "blob:"],
        "img-src": ["self", "blob:", "data:"],
        "media-src": ["self", "blob:"],
        "connect-src": ["self"],
        "style-src": ["self", "unsafe-inline"],
        "object-src": ["none"],
        "base-uri": ["self"],
      },
    },
  },
};
