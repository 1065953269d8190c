import type { Logger } from "./outbox/dispatcher.js";

/** Static messages with their data beside them, one JSON line each, to stderr. */
export function consoleLogger(): Logger {
  const write = (level: string, message: string, data?: Record<string, unknown>) => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...data })}\n`);
  };
  return {
    info: (message, data) => write("info", message, data),
    warn: (message, data) => write("warn", message, data),
    error: (message, data) => write("error", message, data),
  };
}

export function silentLogger(): Logger {
  return { info: () => {}, warn: () => {}, error: () => {} };
}
