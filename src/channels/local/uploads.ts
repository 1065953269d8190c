import { fileTypeFromBuffer } from "file-type";
import { z } from "zod";

/** What a person uploads on the page: a photo, or a voice message recorded in the browser. */
export type UploadKind = "photo" | "voice";

/** How an accepted upload is stored (its file name's extension) and served (its content-type). */
export interface SniffedUpload {
  extension: UploadExtension;
  contentType: string;
}

/** The extensions of stored uploads; nothing else is ever written under uploads/ or served from there. */
export const UPLOAD_EXTENSIONS = ["png", "jpg", "gif", "webp", "webm", "ogg", "m4a", "mp3", "wav"] as const;
export type UploadExtension = (typeof UPLOAD_EXTENSIONS)[number];

/** The content-type each stored extension is served with. */
export const TYPE_OF_EXTENSION: Readonly<Record<UploadExtension, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  webm: "audio/webm",
  ogg: "audio/ogg",
  m4a: "audio/mp4",
  mp3: "audio/mpeg",
  wav: "audio/wav",
};

/** Upload names the server made: a UUID and one of the stored extensions. */
export const UploadName = z.string().regex(new RegExp(`^[0-9a-f-]{36}\\.(${UPLOAD_EXTENSIONS.join("|")})$`));

/**
 * What file-type finds in the bytes → how such an upload is stored, per kind.
 * Voice is what a browser's MediaRecorder makes: webm/opus (Chrome, Edge, Android), ogg/opus (Firefox),
 * mp4 audio (Safari, whose files file-type names mp4 or m4a); mp3 and wav are taken too.
 */
const ACCEPTED: Record<UploadKind, Readonly<Record<string, UploadExtension>>> = {
  photo: { png: "png", apng: "png", jpg: "jpg", gif: "gif", webp: "webp" },
  voice: { webm: "webm", opus: "ogg", ogg: "ogg", mp4: "m4a", m4a: "m4a", mp3: "mp3", wav: "wav" },
};

/**
 * Decides from the bytes themselves (never from the name or the content-type the browser sent) whether an
 * upload is a photo or a voice message we keep, and how to store and serve it. Undefined when it is not.
 */
export async function sniffUpload(bytes: Buffer, kind: UploadKind): Promise<SniffedUpload | undefined> {
  const found = await fileTypeFromBuffer(bytes).catch(() => undefined);
  if (found === undefined) return undefined;
  const accepted = ACCEPTED[kind];
  const extension = Object.hasOwn(accepted, found.ext) ? accepted[found.ext] : undefined;
  if (extension === undefined) return undefined;
  return { extension, contentType: TYPE_OF_EXTENSION[extension] };
}
