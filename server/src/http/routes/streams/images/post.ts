import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
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
import type { AppEnv } from "../../../env.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { StreamParamsSchema } from "../schema.ts";

/** Uploads are larger than other API bodies: `app.ts` leaves them to {@link uploadBodyLimit}. */
export const isImageUpload = (method: string, path: string): boolean =>
  method === "POST" && /^\/v1\/streams\/[^/]+\/images$/.test(path);

const stores = new WeakMap<Config, ImageStore>();
const storeFor = (config: Config): ImageStore => {
  const known = stores.get(config);
  if (known) return known;
  const store = imageStoreFor(config);
  stores.set(config, store);
  return store;
};

const uploadBodyLimit: MiddlewareHandler<AppEnv> = (c, next) =>
  bodyLimit({
    maxSize: c.var.config.maxUploadBytes,
    onError: () => {
      throw new FacedriftError(
        "payload_too_large",
        `the upload exceeds ${c.var.config.maxUploadBytes} bytes`,
        { field: "files" },
      );
    },
  })(c, next);

const UploadResponseSchema = z
  .object({
    job: z.object({ id: z.number().int(), url: z.string().openapi({ example: "/v1/image-jobs/12" }) }),
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
  middleware: [requireScope("ingest"), uploadBodyLimit] as const,
  request: {
    params: StreamParamsSchema,
    // For the OpenAPI document; the parts are read in order and checked by readForm below, which
    // names the offending file (a zod schema over the parsed form could not say which one).
    body: {
      content: {
        "multipart/form-data": {
          schema: z.object({
            files: z.any().openapi({ type: "array", items: { type: "string", format: "binary" } }),
            faces: z.enum(FACE_POLICIES).optional().openapi({ description: "largest (default) or single" }),
          }),
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

/** The `files` parts, in order, and the `faces` policy; any other part is a mistake worth naming. */
async function readForm(form: FormData): Promise<{ files: UploadedFile[]; faces: FacePolicy }> {
  const files: UploadedFile[] = [];
  let faces: FacePolicy = "largest";
  for (const [name, value] of form.entries()) {
    if (name === "faces") {
      if (!(FACE_POLICIES as readonly unknown[]).includes(value)) {
        throw new FacedriftError("invalid_request", `faces must be one of ${FACE_POLICIES.join(", ")}`, {
          field: "faces",
        });
      }
      faces = value as FacePolicy;
      continue;
    }
    if (name !== "files" && name !== "files[]") {
      throw new FacedriftError("invalid_request", `unexpected part "${name}"; send images as "files"`, {
        field: name,
      });
    }
    if (typeof value === "string") {
      throw new FacedriftError("invalid_request", `files[${files.length}] is a text field, not a file`, {
        field: `files[${files.length}]`,
        item: files.length,
      });
    }
    files.push({ name: value.name, bytes: new Uint8Array(await value.arrayBuffer()) });
  }
  return { files, faces };
}

export function registerUploadImages(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const type = c.req.header("content-type") ?? "";
    if (!type.toLowerCase().startsWith("multipart/form-data")) {
      throw new FacedriftError("unsupported_media_type", "send images as multipart/form-data", {
        field: "content-type",
      });
    }
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch (error) {
      throw new FacedriftError("invalid_request", "the multipart body is malformed", { cause: error });
    }
    const { config } = c.var;
    const result = await uploadImages(c.var.database, storeFor(config), {
      tenantId: c.var.principal.tenantId,
      stream: c.req.valid("param").stream,
      ...(await readForm(form)),
      limits: {
        maxFiles: config.maxUploadFiles,
        maxFileBytes: config.maxUploadFileBytes,
        maxPixels: config.maxImagePixels,
      },
    });
    const url = `/v1/image-jobs/${result.batchId}`;
    c.header("Location", url);
    return c.json({ job: { id: result.batchId, url }, files: result.files }, 202);
  });
}
