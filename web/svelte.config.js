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
  },
};
