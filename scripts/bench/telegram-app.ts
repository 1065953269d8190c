// The app as `npm start` runs it (startApp from src/main.ts, settings from the environment), for the
// Telegram walk bench: prints "ready" once started, stops cleanly on SIGTERM.
import { consoleLogger } from "../../src/logger.js";
import { startApp } from "../../src/main.js";

const app = await startApp(process.env, consoleLogger());
process.stdout.write("ready\n");
process.once("SIGTERM", () => {
  app.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
