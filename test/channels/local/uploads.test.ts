import { fileTypeFromBuffer } from "file-type";
import { describe, expect, it } from "vitest";
import { UploadName as SchemaUploadName } from "../../../src/channels/local/schema.js";
import {
  sniffUpload,
  TYPE_OF_EXTENSION,
  UPLOAD_EXTENSIONS,
  UploadName,
} from "../../../src/channels/local/uploads.js";

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ""), "hex");
const ascii = (text: string) => Buffer.from(text, "latin1");

/** A valid 1x1 transparent PNG: signature, IHDR, IDAT, IEND, with their CRCs. */
const PNG = hex(`
  89504e470d0a1a0a 0000000d49484452 00000001 00000001 0806000000 1f15c489
  0000000d49444154 789c6338e1a0f31f00053c0234 50fc84a4
  0000000049454e44 ae426082`);

/** The start of a JFIF JPEG: SOI, then the APP0 segment. */
const JPEG = Buffer.concat([hex("ffd8ffe0 0010"), ascii("JFIF\0"), hex("0101 0000 0100 0100 0000")]);

/** A whole 1x1 GIF. */
const GIF = Buffer.concat([
  ascii("GIF89a"),
  hex("0100 0100 800000 000000 ffffff 2c00000000 0100 0100 00 0202 4401 00 3b"),
]);

/** A RIFF container holding a lossless WebP bitstream header. */
const WEBP = Buffer.concat([ascii("RIFF"), hex("1a000000"), ascii("WEBPVP8L"), hex("0d000000 2f000000 10")]);

/**
 * The EBML header Chrome's MediaRecorder writes for audio/webm;codecs=opus, then the opening of the Segment.
 * file-type reads the root EBML element's children until DocType (id 0x4282) and needs it to say "webm".
 */
const ebml = (docType: string) =>
  Buffer.concat([
    hex("1a45dfa3"),
    Buffer.of(0x80 | (27 + docType.length)),
    hex("4286 81 01 42f7 81 01 42f2 81 04 42f3 81 08 4282"),
    Buffer.of(0x80 | docType.length),
    ascii(docType),
    hex("4287 81 04 4285 81 02 18538067 01ffffffffffffff"),
  ]);
const WEBM = ebml("webm");

/** Firefox's ogg/opus: a 27-byte Ogg page header, a one-entry segment table, then the 19-byte OpusHead packet. */
const OGG_OPUS = Buffer.concat([
  ascii("OggS"),
  hex("00 02 0000000000000000 01000000 00000000 00000000 01 13"),
  ascii("OpusHead"),
  hex("01 01 3801 80bb0000 0000 00"),
]);

/** An ISO media file's `ftyp` box with the given major brand (Safari records audio/mp4). */
const ftyp = (brand: string) =>
  Buffer.concat([hex("00000018"), ascii("ftyp"), ascii(brand), hex("00000200"), ascii("isomiso2")]);

/** An empty ID3v2.4 tag, then an MPEG-1 Layer III frame header (128 kbit/s, 44.1 kHz). */
const MP3 = Buffer.concat([ascii("ID3"), hex("0400 00 00000000"), hex("fffb9064"), Buffer.alloc(413)]);

/** A RIFF/WAVE header with its fmt chunk (16-bit mono PCM at 8 kHz) and an empty data chunk. */
const WAV = Buffer.concat([
  ascii("RIFF"),
  hex("24000000"),
  ascii("WAVEfmt "),
  hex("10000000 0100 0100 401f0000 803e0000 0200 1000"),
  ascii("data"),
  hex("00000000"),
]);

/** What a person gets by renaming notes.txt to fake.png: 16 bytes of text. */
const TEXT_AS_PNG = ascii("not a photo, ok?");

describe("sniffUpload", () => {
  it.each([
    ["a PNG", PNG, "png", "image/png"],
    ["a JPEG", JPEG, "jpg", "image/jpeg"],
    ["a GIF", GIF, "gif", "image/gif"],
    ["a WebP", WEBP, "webp", "image/webp"],
  ])("takes %s as a photo", async (_name, bytes, extension, contentType) => {
    expect(await sniffUpload(bytes, "photo")).toEqual({ extension, contentType });
  });

  it.each([
    ["Chrome's webm/opus", WEBM, "webm", "audio/webm"],
    ["Firefox's ogg/opus", OGG_OPUS, "ogg", "audio/ogg"],
    ["Safari's mp4 audio", ftyp("iso5"), "m4a", "audio/mp4"],
    ["an m4a file", ftyp("M4A "), "m4a", "audio/mp4"],
    ["an mp3 file", MP3, "mp3", "audio/mpeg"],
    ["a wav file", WAV, "wav", "audio/wav"],
  ])("takes %s as a voice message", async (_name, bytes, extension, contentType) => {
    expect(await sniffUpload(bytes, "voice")).toEqual({ extension, contentType });
  });

  it("refuses a text file renamed to .png", async () => {
    expect(TEXT_AS_PNG).toHaveLength(16);
    expect(await sniffUpload(TEXT_AS_PNG, "photo")).toBeUndefined();
  });

  it("refuses a text file sent as a voice message", async () => {
    expect(await sniffUpload(TEXT_AS_PNG, "voice")).toBeUndefined();
  });

  it("refuses an empty upload", async () => {
    expect(await sniffUpload(Buffer.alloc(0), "photo")).toBeUndefined();
  });

  it.each([
    ["an SVG", ascii('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
    ["an HTML page", ascii("<!doctype html><html><body>hi</body></html>")],
  ])("refuses %s as a photo", async (_name, bytes) => {
    expect(await sniffUpload(bytes, "photo")).toBeUndefined();
  });

  // Each of these file-type does recognise (checked first), so the refusal is our rule, not broken bytes.
  it.each([
    ["a PDF", ascii("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"), "pdf"],
    ["a voice message", WEBM, "webm"],
    ["a HEIC picture", ftyp("heic"), "heic"],
  ])("refuses %s as a photo", async (_name, bytes, detected) => {
    expect((await fileTypeFromBuffer(bytes))?.ext).toBe(detected);
    expect(await sniffUpload(bytes, "photo")).toBeUndefined();
  });

  it.each([
    ["a photo", PNG, "png"],
    ["a Matroska video", ebml("matroska"), "mkv"],
    ["a HEIC picture", ftyp("heic"), "heic"],
    ["a PDF", ascii("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"), "pdf"],
  ])("refuses %s as a voice message", async (_name, bytes, detected) => {
    expect((await fileTypeFromBuffer(bytes))?.ext).toBe(detected);
    expect(await sniffUpload(bytes, "voice")).toBeUndefined();
  });
});

describe("stored upload names", () => {
  const id = "0f8fad5b-d9cb-469f-a165-70867728950e";

  it.each(UPLOAD_EXTENSIONS)("accepts a server-made name ending in .%s", (extension) => {
    expect(UploadName.safeParse(`${id}.${extension}`).success).toBe(true);
  });

  it.each([
    `${id}.html`,
    `${id}.svg`,
    `${id}.opus`,
    `${id}.PNG`,
    `${id}.png.html`,
    `../${id}.png`,
    "fake.png",
  ])("refuses %s", (name) => {
    expect(UploadName.safeParse(name).success).toBe(false);
  });

  it("is the same rule in schema.ts", () => {
    expect(SchemaUploadName).toBe(UploadName);
  });

  it.each(UPLOAD_EXTENSIONS)("serves .%s as a picture or a sound", (extension) => {
    expect(TYPE_OF_EXTENSION[extension]).toMatch(/^(image|audio)\/[a-z0-9.+-]+$/);
  });
});
