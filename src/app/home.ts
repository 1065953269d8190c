import type { ChannelName, Language } from "../domain/model.js";
import { inUnit } from "./deps.js";
import type { Kernel } from "./handle.js";
import { message, type OutgoingMessage } from "./messages.js";
import { memberOnChannel, Villages } from "./tables.js";
import { t } from "./text.js";

/** A person's overview: their menu, then what each feature has waiting for them. */
export interface Home {
  language: Language;
  sections: OutgoingMessage[];
}

/** The overview of the person a channel knows by `userId`; a stranger's says how to join. */
export async function homeOf(kernel: Kernel, channel: ChannelName, userId: string): Promise<Home> {
  const { deps, registry } = kernel;
  return inUnit(deps, async (unit) => {
    const member = await memberOnChannel(unit.tx, channel, userId);
    const village = member?.active === true ? await unit.tx.get(Villages, member.villageId) : undefined;
    if (member === undefined || village === undefined)
      return { language: deps.defaultLanguage, sections: [message([t("stranger.welcome")])] };
    const sections = [registry.mainMenu(member, village)];
    for (const home of registry.home) {
      const section = await home(unit, member, village);
      if (section !== undefined) sections.push(section);
    }
    return { language: member.language ?? deps.defaultLanguage, sections };
  });
}
