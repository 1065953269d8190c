import { z } from "zod";

/** Slack ids: users (U…, W…), channels (C…, G…, D…), teams; short and plain. */
const SlackId = z.string().regex(/^[A-Z0-9]{2,32}$/);

/** A slash command's form body (https://api.slack.com/interactivity/slash-commands). */
export const SlashCommandBody = z.object({
  command: z.string().min(2).max(64),
  text: z.string().max(4000).default(""),
  user_id: SlackId,
  user_name: z.string().max(128).optional(),
  channel_id: SlackId,
  channel_name: z.string().max(256).optional(),
  trigger_id: z.string().min(1).max(128),
});
export type SlashCommandBody = z.infer<typeof SlashCommandBody>;

/** A Block Kit button pressed in a message or in the App Home. */
export const BlockActionsBody = z.object({
  type: z.literal("block_actions"),
  trigger_id: z.string().min(1).max(128),
  user: z.object({ id: SlackId, name: z.string().max(128).optional() }),
  channel: z.object({ id: SlackId }).optional(),
  container: z.object({ type: z.string(), channel_id: SlackId.optional() }).optional(),
  actions: z
    .array(
      z.object({
        action_id: z.string().max(255),
        value: z.string().max(2000).optional(),
        action_ts: z.string().max(64).optional(),
      }),
    )
    .min(1),
});
export type BlockActionsBody = z.infer<typeof BlockActionsBody>;

export const SlackFile = z.object({
  id: SlackId,
  name: z.string().max(1024).optional(),
  mimetype: z.string().max(255).optional(),
  filetype: z.string().max(64).optional(),
  subtype: z.string().max(64).optional(),
  size: z.number().int().nonnegative().optional(),
  url_private_download: z.url().optional(),
});
export type SlackFile = z.infer<typeof SlackFile>;

/** A message in the bot's direct messages (`message.im`). */
export const DirectMessageEvent = z.object({
  type: z.literal("message"),
  channel: SlackId,
  channel_type: z.string().optional(),
  user: SlackId.optional(),
  bot_id: z.string().optional(),
  subtype: z.string().optional(),
  text: z.string().optional(),
  files: z.array(SlackFile).optional(),
});
export type DirectMessageEvent = z.infer<typeof DirectMessageEvent>;

/** The envelope of an Events API event; `event_id` stays the same when Slack retries it. */
export const EventCallbackBody = z.object({
  type: z.literal("event_callback"),
  event_id: z.string().min(1).max(128),
  event: z.object({ type: z.string() }).loose(),
});
export type EventCallbackBody = z.infer<typeof EventCallbackBody>;

export const AppHomeOpenedEvent = z.object({
  type: z.literal("app_home_opened"),
  user: SlackId,
  tab: z.string().optional(),
});

/** A modal submitted: its answers under `state.values[block_id][action_id]`. */
export const ViewSubmissionBody = z.object({
  type: z.literal("view_submission"),
  user: z.object({ id: SlackId, name: z.string().max(128).optional() }),
  view: z.object({
    id: z.string().min(1).max(64),
    hash: z.string().max(128).optional(),
    callback_id: z.string().max(255),
    state: z.object({
      values: z.record(
        z.string().max(255),
        z.record(
          z.string().max(255),
          z.object({
            value: z.string().max(4096).nullish(),
            selected_option: z.object({ value: z.string().max(150) }).nullish(),
            files: z
              .array(z.object({ id: SlackId }))
              .max(10)
              .optional(),
          }),
        ),
      ),
    }),
  }),
});
export type ViewSubmissionBody = z.infer<typeof ViewSubmissionBody>;
