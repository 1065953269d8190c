/** How the browser tests start Chromium: headless, with a fake microphone that needs no permission prompt. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
