// Public pages are prerendered into web/build/; the dashboard group will opt out (it needs a login).
export const prerender = true;
export const trailingSlash = "never";
