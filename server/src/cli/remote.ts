/**
 * @module
 * `--server URL`: a CLI command done through a running server's API instead of on the database
 * directly — the way while `facedrift serve` holds the embedded database (one process per data
 * folder). The server answers in its error shape, which becomes the command's one-line error.
 */
import { type Command, Option } from "commander";
import { FacedriftError } from "../errors.ts";

export function serverOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--server <url>", "do it through this running server's API instead of the database"),
    )
    .addOption(new Option("--api-key <key>", "admin API key for --server").env("FACEDRIFT_API_KEY"));
}

export async function callServer<T>(
  options: { server: string; apiKey?: string },
  method: string,
  path: string,
  body: unknown,
): Promise<T> {
  if (!options.apiKey)
    throw new FacedriftError(
      "invalid_request",
      "--server needs an admin key: --api-key or FACEDRIFT_API_KEY",
      {
        field: "api-key",
      },
    );
  const url = new URL(path, options.server.endsWith("/") ? options.server : `${options.server}/`);
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${options.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new FacedriftError("unavailable", `${url.origin} does not answer (${(error as Error).message})`);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const error = (parsed as { error?: { message?: string } } | null)?.error;
    throw new FacedriftError(
      "invalid_request",
      `${url.origin}: HTTP ${response.status}: ${error?.message ?? text.slice(0, 200)}`,
    );
  }
  return parsed as T;
}
