import type { Language } from "../domain/model.js";

/** The languages the bot speaks; each feature's sentences come in all of them. */
export const LANGUAGES: readonly Language[] = ["zh-CN", "en"];
