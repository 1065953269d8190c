import type { zhCN } from "./zh-CN.js";

export const en: Record<keyof typeof zhCN, string> = {
  "menu.title": "Hello {name} ({village}, {role}). Please tap a button below.",
  "menu.back_to_menu": "↩ Main menu",
  "menu.use_buttons": "Please use the buttons below.",
  "role.villager": "villager",
  "role.grid_worker": "grid worker",
  "role.secretary": "secretary",
  "action.cancel": "✖ Cancel",
  "action.back": "↩ Back",
  "notice.done": "OK",
  "cancel.done": "Cancelled. Nothing you were filling in was sent.",
  "cancel.nothing": "You are not filling anything in right now.",
  "stranger.welcome":
    "Hello! You are not on any village's roster yet.\nVillagers: tap “Send a request” in your village group to join.\nSecretaries: send me /setup here to set up your village.",
  "command.start": "Start / main menu",
  "command.help": "Help",
  "command.cancel": "Cancel what you are filling in",
  "refusal.not_allowed": "Only the secretary or the person in charge can do this. Please ask your secretary.",
  "refusal.text_too_long": "That is too long. Please keep it under {max} characters, or send it in parts.",
  "refusal.removed":
    "You are no longer on the village roster. Please contact your secretary if you need help.",
  "refusal.join_first":
    "Please tap “Send a request” first, to join the village roster in a private chat with me.",
  "refusal.unexpected_file": "I am not expecting a file now. Please use the buttons below.",
  "refusal.nothing_to_attach":
    "I am not waiting for a photo, voice message or location now. To send a request, tap “Send a request” first.",
  "refusal.answer_expected":
    "I am waiting for your answer to the question above. Please answer it, or tap “Cancel”.",
  "refusal.stale_button": "This button has expired. Please tap “Main menu” and start again.",
  "refusal.form_invalid": "“{field}” is not filled in right. Please fill in the form again.",
  "refusal.no_such_village":
    "I could not find that village. Please tap the button in your village group again.",
  "refusal.no_such_member":
    "That person is not on the roster (they may have been removed). Please go back to the roster.",
};
