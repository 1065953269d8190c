import { z } from "zod";

/** The update types the bot asks Telegram for; everything else is neither requested nor handled. */
export const ALLOWED_UPDATES = ["message", "callback_query"] as const;

const TelegramUser = z.object({
  id: z.number().int().positive(),
  is_bot: z.boolean(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
});
export type TelegramUser = z.infer<typeof TelegramUser>;

const TelegramChat = z.object({
  id: z.number().int(),
  type: z.enum(["private", "group", "supergroup", "channel"]),
  title: z.string().optional(),
});
export type TelegramChat = z.infer<typeof TelegramChat>;

const MessageEntity = z.object({
  type: z.string(),
  offset: z.number().int().min(0),
  length: z.number().int().min(0),
});

const PhotoSize = z.object({
  file_id: z.string().min(1),
  width: z.number().int(),
  height: z.number().int(),
  file_size: z.number().int().optional(),
});

const TelegramMessage = z.object({
  message_id: z.number().int(),
  date: z.number().int(),
  chat: TelegramChat,
  from: TelegramUser.optional(),
  sender_chat: TelegramChat.optional(),
  text: z.string().optional(),
  entities: z.array(MessageEntity).optional(),
  caption: z.string().optional(),
  photo: z.array(PhotoSize).min(1).optional(),
  voice: z.object({ file_id: z.string().min(1), duration: z.number().int() }).optional(),
  location: z
    .object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) })
    .optional(),
  document: z
    .object({
      file_id: z.string().min(1),
      file_name: z.string().optional(),
      mime_type: z.string().optional(),
      file_size: z.number().int().optional(),
    })
    .optional(),
  migrate_to_chat_id: z.number().int().optional(),
  migrate_from_chat_id: z.number().int().optional(),
});
export type TelegramMessage = z.infer<typeof TelegramMessage>;

const CallbackQuery = z.object({
  id: z.string().min(1),
  from: TelegramUser,
  /** Absent for buttons under inline-mode messages; may be an inaccessible (old) message. */
  message: z.object({ message_id: z.number().int(), chat: TelegramChat }).optional(),
  data: z.string().optional(),
});
export type CallbackQuery = z.infer<typeof CallbackQuery>;

/** The parts of a Bot API Update this bot reads; unknown fields are dropped. */
export const TelegramUpdate = z.object({
  update_id: z.number().int().nonnegative(),
  message: TelegramMessage.optional(),
  callback_query: CallbackQuery.optional(),
});
export type TelegramUpdate = z.infer<typeof TelegramUpdate>;

/** Telegram's answer to getChatMember, reduced to what decides membership. */
export const ChatMemberStatus = z.object({
  status: z.enum(["creator", "administrator", "member", "restricted", "left", "kicked"]),
  is_member: z.boolean().optional(),
});
export type ChatMemberStatus = z.infer<typeof ChatMemberStatus>;

export function isInChat(member: ChatMemberStatus): boolean {
  if (member.status === "restricted") return member.is_member !== false;
  return member.status === "creator" || member.status === "administrator" || member.status === "member";
}

export function isChatAdmin(member: ChatMemberStatus): boolean {
  return member.status === "creator" || member.status === "administrator";
}
