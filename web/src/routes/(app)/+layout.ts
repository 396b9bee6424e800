import { redirect } from "@sveltejs/kit";
import { loadSession } from "$lib/api/client.ts";
import type { LayoutLoad } from "./$types";

// The dashboard needs a login and live data: it is never prerendered and renders in the browser
// only (the server answers these routes with the SPA fallback, web/build/200.html).
export const prerender = false;
export const ssr = false;

export const load: LayoutLoad = async ({ fetch, url }) => {
  const session = await loadSession(fetch);
  if (!session) {
    // Back to the page that was asked for (deep links such as an alert's time range) after login.
    redirect(307, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return { session };
};
