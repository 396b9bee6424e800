/**
 * @module
 * Checks one uploaded file before anything is stored: its size, what its first bytes say it is
 * (`file-type`, not the client's name or Content-Type), and a real decode by sharp — a file that
 * passes the magic-byte check but is truncated or corrupt fails here, at upload, instead of in a
 * replica later.
 */
import { createHash } from "node:crypto";
import { fileTypeFromBuffer } from "file-type";
import sharp from "sharp";
import { FacedriftError } from "../errors.ts";

/** What the replica's browser decodes with `createImageBitmap` and sharp decodes here. */
export const ACCEPTED_MEDIA_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;
export type ImageMediaType = (typeof ACCEPTED_MEDIA_TYPES)[number];

export interface ImageLimits {
  /** Largest file, in bytes. */
  maxFileBytes: number;
  /** Largest image, in pixels (width × height): a small file can decode to gigabytes. */
  maxPixels: number;
}

export interface ValidatedImage {
  mediaType: ImageMediaType;
  width: number;
  height: number;
  sha256: string;
  bytes: number;
}

const isAccepted = (mime: string): mime is ImageMediaType =>
  (ACCEPTED_MEDIA_TYPES as readonly string[]).includes(mime);

/** Validates file `index` of an upload; errors name `files[index]` and the file name. */
export async function validateImage(
  bytes: Uint8Array,
  name: string,
  index: number,
  limits: ImageLimits,
): Promise<ValidatedImage> {
  const field = `files[${index}]`;
  const where = `${field} (${JSON.stringify(name)})`;
  if (bytes.byteLength === 0) {
    throw new FacedriftError("invalid_request", `${where} is empty`, { field, item: index });
  }
  if (bytes.byteLength > limits.maxFileBytes) {
    throw new FacedriftError(
      "payload_too_large",
      `${where} has ${bytes.byteLength} bytes, more than the limit of ${limits.maxFileBytes}`,
      { field, item: index },
    );
  }
  const type = await fileTypeFromBuffer(bytes);
  if (!type || !isAccepted(type.mime)) {
    throw new FacedriftError(
      "unsupported_media_type",
      `${where} is ${type ? type.mime : "not a recognised image"}; accepted: JPEG, PNG, WebP`,
      { field, item: index },
    );
  }
  let width: number;
  let height: number;
  try {
    // failOn "warning" turns libjpeg's "premature end of data" (a truncated file) into an error;
    // decoding to raw pixels (discarded) is what proves the whole file decodes.
    const { info } = await sharp(bytes, { failOn: "warning", limitInputPixels: limits.maxPixels })
      .raw()
      .toBuffer({ resolveWithObject: true });
    width = info.width;
    height = info.height;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const tooLarge = /pixel limit/i.test(reason);
    throw new FacedriftError(
      tooLarge ? "payload_too_large" : "invalid_request",
      tooLarge
        ? `${where} has more than ${limits.maxPixels} pixels`
        : `${where} does not decode as ${type.mime}: ${reason}`,
      { field, item: index, cause: error },
    );
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  return { mediaType: type.mime, width, height, sha256, bytes: bytes.byteLength };
}
