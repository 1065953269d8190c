import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { App } from "../../app/create-app.js";
import { type ChartRenderer, createChartRenderer } from "../../charts/render.js";
import type { ChannelSender, Logger } from "../../outbox/dispatcher.js";
import { createHub } from "./hub.js";
import { createChatLog } from "./log.js";
import { createLocalSender } from "./sender.js";
import { createHandler } from "./server.js";

export interface LocalChatOptions {
  app: App;
  port: number;
  host: string;
  dataDir: string;
  /** Asks the outbox dispatcher to send what is due now, so replies show at once. */
  kick: () => void;
  logger: Logger;
  /** Draws messages' charts; by default on this machine, with the font the project ships. */
  chart?: ChartRenderer;
}

export interface LocalChat {
  sender: ChannelSender;
  /** Starts listening; resolves to the page's address, e.g. http://localhost:3000. */
  start(): Promise<string>;
  close(): Promise<void>;
}

/** The built-in web chat: pick who you are, talk to the bot privately and watch the village group, live. */
export function createLocalChat(options: LocalChatOptions): LocalChat {
  const { app, dataDir, kick, logger } = options;
  const log = createChatLog(join(dataDir, "local-chat"), logger);
  const hub = createHub();
  const handler = createHandler({ app, dataDir, log, hub, kick, logger });
  const server = createServer((req, res) => handler.handle(req, res));
  let started = false;

  return {
    sender: createLocalSender(log, hub, app.translate, {
      draw: options.chart ?? createChartRenderer(app.translate),
      dir: join(dataDir, "uploads"),
    }),
    start() {
      return new Promise<string>((resolve, reject) => {
        const failed = (error: NodeJS.ErrnoException) => {
          reject(
            error.code === "EADDRINUSE"
              ? new Error(
                  `Port ${options.port} on ${options.host} is already in use. Stop the other program or set PORT.`,
                )
              : error,
          );
        };
        server.once("error", failed);
        server.listen(options.port, options.host, () => {
          server.off("error", failed);
          started = true;
          const address = server.address() as AddressInfo;
          resolve(`http://${urlHost(options.host)}:${address.port}`);
        });
      });
    },
    close() {
      handler.closeStreams();
      if (!started) return Promise.resolve();
      started = false;
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      });
    },
  };
}

/** The host to print: loopback and any-address become localhost; IPv6 literals get brackets. */
export function urlHost(host: string): string {
  if (host === "127.0.0.1" || host === "0.0.0.0" || host === "::" || host === "::1" || host === "localhost") {
    return "localhost";
  }
  return host.includes(":") ? `[${host}]` : host;
}
