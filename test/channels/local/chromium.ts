import { existsSync } from "node:fs";
import type { Page } from "playwright-core";

/** The browser tests drive Debian's Chromium; without it they are skipped with a message saying how to get it. */
export const CHROMIUM = "/usr/bin/chromium";
export const haveChromium = existsSync(CHROMIUM);

/** A browser test's title, or why it is skipped. */
export function browserTitle(title: string): string {
  return haveChromium
    ? title
    : `${title} — SKIPPED: ${CHROMIUM} is missing (install it with: apt-get install -y chromium)`;
}

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

export const WAIT = { timeout: 10_000 };

export type Pane = "private" | "group";

/** Waits until the pane shows `text`. */
export async function sees(page: Page, pane: Pane, text: string): Promise<void> {
  await page.locator(`#pane-${pane}`).getByText(text).last().waitFor(WAIT);
}

/** Presses the newest button labelled exactly `label` in the pane. */
export async function pressLast(page: Page, pane: Pane, label: string): Promise<void> {
  await page.locator(`#pane-${pane}`).getByRole("button", { name: label, exact: true }).last().click(WAIT);
}

/** Types into the private chat and sends it. */
export async function say(page: Page, text: string): Promise<void> {
  const box = page.locator("#pane-private").getByRole("textbox");
  await box.fill(text);
  await box.press("Enter");
}
