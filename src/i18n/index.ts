export { LANGUAGES } from "./languages.js";
