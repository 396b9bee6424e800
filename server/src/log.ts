/**
 * Structured logs: one JSON object per line on stdout, so any collector can parse them. Callers
 * must not pass secrets; the request log records method, path, status and duration only.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type Logger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export function jsonLogger(write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  return (level, message, fields) => {
    write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`);
  };
}

/** Discards everything; for tests. */
export const silentLogger: Logger = () => {};
