/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * @module
 * Keeps the capture station usable offline: on install it caches the app shell (the build, the
 * static files, the prerendered pages, the SPA fallback) and what the build listed in
 * `offline.json` (the model files, the worker and its WASM); afterwards same-origin GETs are
 * answered cache-first. The API (`/v1/`) is
 * never cached: the outbox in IndexedDB is what survives offline, not responses.
 */

import { registerAlertNotifications } from "$lib/push/alert-notification.ts";
import { base, build, files, prerendered, version } from "$service-worker";

const worker = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `facedrift-${version}`;
const OFFLINE_INDEX = `${base}/offline.json`;

// Dashboard alerts pushed by the server: notification, and a click opens the alert's deep link.
registerAlertNotifications(worker);

async function precache() {
  const cache = await caches.open(CACHE);
  const extra = (await (await fetch(OFFLINE_INDEX)).json()) as string[];
  const urls = [
    ...build,
    ...files,
    ...prerendered,
    `${base}/200.html`,
    ...extra.map((path) => `${base}/${path}`),
  ];
  // addAll() rejects a list that names one URL twice.
  await cache.addAll([...new Set(urls)]);
}

worker.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => worker.skipWaiting()));
});

worker.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await worker.clients.claim();
    })(),
  );
});

async function respond(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  try {
    const response = await fetch(request);
    // Files the build list does not name (the worker chunk and its WASM) are cached on first use.
    if (response.ok && response.type === "basic") await cache.put(request, response.clone());
    return response;
  } catch (error) {
    // Offline navigation to a page that was not prerendered: the SPA fallback can still route it.
    const fallback = request.mode === "navigate" ? await cache.match(`${base}/200.html`) : undefined;
    if (fallback) return fallback;
    throw error;
  }
}

worker.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.startsWith(`${base}/v1/`)) return;
  event.respondWith(respond(event.request));
});
