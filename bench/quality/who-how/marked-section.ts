/**
 * Generated pages are written by more than one benchmark: `bench:quality` writes
 * docs/detection-quality.md whole, `bench:batch-test` owns one section of it. A section lives
 * between `<!-- name:start -->` and `<!-- name:end -->`; each writer replaces only its own and
 * keeps the others'.
 */
const start = (name: string) => `<!-- ${name}:start -->`;
const end = (name: string) => `<!-- ${name}:end -->`;

/**
 * `page` with the named section set to `body`; a page without it gets it before the line
 * `before` (or at the end).
 */
export function replaceMarkedSection(
  page: string,
  name: string,
  body: string,
  before = "## Reproduce",
): string {
  const block = `${start(name)}\n\n${body.trim()}\n\n${end(name)}`;
  const from = page.indexOf(start(name));
  const to = page.indexOf(end(name));
  if (from < 0 || to < from) {
    const at = page.indexOf(`\n${before}`);
    return at < 0 ? `${page.trimEnd()}\n\n${block}\n` : `${page.slice(0, at)}\n${block}\n${page.slice(at)}`;
  }
  return page.slice(0, from) + block + page.slice(to + end(name).length);
}

/** The named section of `page` with its markers, or "" when it has none. */
export function markedSection(page: string, name: string): string {
  const from = page.indexOf(start(name));
  const to = page.indexOf(end(name));
  return from < 0 || to < from ? "" : page.slice(from, to + end(name).length);
}
