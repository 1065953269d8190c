import type { Feature } from "../app/feature.js";
import { decisionsFeature } from "./decisions/index.js";
import { deliveriesFeature } from "./deliveries/index.js";
import { intakeFeature } from "./intake/index.js";
import { languageFeature } from "./language/index.js";
import { meetingsFeature } from "./meetings/index.js";
import { pollsFeature } from "./polls/index.js";
import { requestsFeature } from "./requests/index.js";
import { rosterFeature } from "./roster/index.js";
import { setupFeature } from "./setup/index.js";
import { tallyFeature } from "./tally/index.js";
import { togetherFeature } from "./together/index.js";
import { topicsFeature } from "./topics/index.js";
import { townsFeature } from "./towns/index.js";

/** Every feature of the bot: a new one is a folder and a line here. */
export const FEATURES: readonly Feature[] = [
  setupFeature,
  intakeFeature,
  requestsFeature,
  rosterFeature,
  languageFeature,
  deliveriesFeature,
  topicsFeature,
  pollsFeature,
  meetingsFeature,
  decisionsFeature,
  togetherFeature,
  tallyFeature,
  townsFeature,
];
