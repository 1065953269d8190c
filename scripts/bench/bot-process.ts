import { silentLogger } from "../../src/logger.js";
import { startApp } from "../../src/main.js";

/**
 * `npm start`'s own code in a process of its own, so a bench measures the bot's memory without its driver's.
 * Started with `fork`, the bot's settings as JSON in `BOT_SETTINGS`; it sends `{ url }` once it listens, and on
 * "stop" it stops and sends `{ maxRssMb }`, its peak resident memory.
 */
const running = await startApp(JSON.parse(process.env.BOT_SETTINGS ?? "{}"), silentLogger());
process.send?.({ url: running.localUrl });
process.on("message", async (message) => {
  if (message !== "stop") return;
  await running.stop();
  process.send?.({ maxRssMb: process.resourceUsage().maxRSS / 1024 }, () => process.exit(0));
});
