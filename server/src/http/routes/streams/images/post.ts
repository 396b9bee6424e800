import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import type { Config } from "../../../../config/config.ts";
import { FacedriftError } from "../../../../errors.ts";
import type { ImageStore } from "../../../../images/store.ts";
import { imageStoreFor } from "../../../../images/store-from-config.ts";
import {
  FACE_POLICIES,
  type FacePolicy,
  type UploadedFile,
  uploadImages,
} from "../../../../images/upload.ts";
import { readMultipart } from "../../../body/multipart.ts";
import type { AppEnv } from "../../../env.ts";
import { publicIdSchema } from "../../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { StreamParamsSchema } from "../schema.ts";

const stores = new WeakMap<Config, ImageStore>();
const storeFor = (config: Config): ImageStore => {
  const known = stores.get(config);
  if (known) return known;
  const store = imageStoreFor(config);
  stores.set(config, store);
  return store;
};

const UploadResponseSchema = z
  .object({
    job: z.object({
      id: publicIdSchema("image-job"),
      url: z.string().openapi({ example: "/v1/image-jobs/3180734591806271" }),
    }),
    files: z.array(
      z.object({
        position: z.number().int(),
        filename: z.string(),
        mediaType: z.string(),
        bytes: z.number().int(),
        sha256: z.string(),
        width: z.number().int(),
        height: z.number().int(),
      }),
    ),
  })
  .openapi("ImageUpload");

const route = createRoute({
  method: "post",
  path: "/v1/streams/{stream}/images",
  summary:
    "Upload images to be embedded by a replica (multipart: one `files` part per image, optional `faces`)",
  description:
    "Every file is checked by its magic bytes and a full decode (JPEG, PNG, WebP) before any is " +
    "stored: one bad file rejects the whole upload, naming it (`files[i]`). The accepted batch is one " +
    "job; `GET /v1/image-jobs/{id}` shows its progress and each file's result. `faces`: `largest` " +
    "(default, as the capture station) embeds the largest face of an image with several; `single` " +
    "embeds none of them and reports `several_faces`.",
  security: bearer,
  middleware: [requireScope("ingest")] as const,
  request: {
    params: StreamParamsSchema,
    // For the OpenAPI document only. A zod schema here would make @hono/zod-openapi parse the
    // whole form before the handler runs, which is what let a million parts through; readForm
    // below reads the parts as they arrive and names the offending one.
    body: {
      content: {
        "multipart/form-data": {
          schema: {
            type: "object",
            required: ["files"],
            properties: {
              files: { type: "array", items: { type: "string", format: "binary" } },
              faces: { type: "string", enum: [...FACE_POLICIES], description: "largest (default) or single" },
            },
          },
        },
      },
    },
  },
  responses: {
    202: {
      description: "Stored and queued",
      content: { "application/json": { schema: UploadResponseSchema } },
    },
    400: errorResponse("No files, an empty file, or a file that does not decode; `field` names it"),
    ...authErrors,
    409: errorResponse(
      "The stream holds another model's embeddings than the one images are embedded with; the message names both",
    ),
    413: errorResponse("Too many files, too large a file or image, or too large an upload"),
    415: errorResponse("Not multipart/form-data, or a file that is not JPEG, PNG or WebP"),
  },
});

/** Longest file name kept with an image (what common file systems allow). */
export const MAX_FILENAME_LENGTH = 255;

/**
 * The `files` parts, in order, and the `faces` policy, read as they arrive (`http/body/multipart.ts`):
 * any other part, a text part named `files`, or one file too many ends the request at once.
 */
async function readForm(
  request: Request,
  config: Config,
): Promise<{ files: UploadedFile[]; faces: FacePolicy }> {
  const { files, fields } = await readMultipart(
    request,
    {
      maxFiles: config.maxUploadFiles,
      maxFileBytes: config.maxUploadFileBytes,
      maxTotalBytes: config.maxUploadBytes,
      maxFields: 1,
      maxFieldBytes: 64,
      maxFilenameLength: MAX_FILENAME_LENGTH,
    },
    {
      checkFilePart: (field) =>
        field === "files" || field === "files[]"
          ? null
          : new FacedriftError("invalid_request", `unexpected part "${field}"; send images as "files"`, {
              field,
            }),
      checkField: (field, value) => {
        if (field === "files" || field === "files[]") {
          return new FacedriftError("invalid_request", "a files part is a text field, not a file", {
            field: "files",
          });
        }
        if (field !== "faces") {
          return new FacedriftError("invalid_request", `unexpected part "${field}"; send images as "files"`, {
            field,
          });
        }
        if (!(FACE_POLICIES as readonly string[]).includes(value)) {
          return new FacedriftError("invalid_request", `faces must be one of ${FACE_POLICIES.join(", ")}`, {
            field: "faces",
          });
        }
        return null;
      },
    },
  );
  return {
    files: files.map((file) => ({ name: file.filename, bytes: file.bytes })),
    faces: (fields.get("faces") as FacePolicy | undefined) ?? "largest",
  };
}

export function registerUploadImages(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const type = c.req.header("content-type") ?? "";
    if (!type.toLowerCase().startsWith("multipart/form-data")) {
      throw new FacedriftError("unsupported_media_type", "send images as multipart/form-data", {
        field: "content-type",
      });
    }
    const { config } = c.var;
    const result = await uploadImages(c.var.database, storeFor(config), {
      tenantId: c.var.principal.tenantId,
      stream: c.req.valid("param").stream,
      ...(await readForm(c.req.raw, config)),
      limits: {
        maxFiles: config.maxUploadFiles,
        maxFileBytes: config.maxUploadFileBytes,
        maxPixels: config.maxImagePixels,
      },
    });
    const jobId = c.var.ids.encode("image-job", result.batchId);
    const url = `/v1/image-jobs/${jobId}`;
    c.header("Location", url);
    return c.json({ job: { id: jobId, url }, files: result.files }, 202);
  });
}
