import type { Language } from "../domain/model.js";

export const LANGUAGES: readonly Language[] = ["zh-CN", "en"];
