/**
 * @module
 * multipart/form-data read as a stream (busboy), with every limit enforced as the parts arrive.
 * `Request.formData()` parsed the whole body before any limit could be checked: an ingest key
 * posting 1,000,000 empty file parts (66 MiB) froze the server for a minute and grew it by
 * 2.4 GB before the "at most 100 files" answer. Here the 101st file part ends the request.
 */
import busboy from "busboy";
import { FacedriftError } from "../../errors.ts";
import { codePointLength, textProblem } from "../../validation/text.ts";
import { declaredLength } from "./read-limited.ts";

export interface MultipartLimits {
  /** File parts, and bytes per file and in the whole body. */
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
  /** Text parts, and bytes per text value. */
  maxFields: number;
  maxFieldBytes: number;
  /** Longest file name, in characters (code points). */
  maxFilenameLength: number;
}

export interface MultipartFile {
  field: string;
  filename: string;
  bytes: Uint8Array;
}

export interface MultipartHandlers {
  /**
   * Decides, as soon as a part's headers arrive and before its content is read, whether the part
   * is wanted: return a `FacedriftError` to refuse the whole request. `index` counts file parts.
   */
  checkFilePart(field: string, index: number): FacedriftError | null;
  checkField(field: string, value: string): FacedriftError | null;
}

const tooLarge = (message: string, field?: string) =>
  new FacedriftError("payload_too_large", message, field === undefined ? {} : { field });

/**
 * The files (in order) and text fields of a multipart body, or the first problem. Parsing stops
 * at that problem; the unread rest of the body is left to the server adapter, which drains it
 * briefly and closes the connection.
 */
export async function readMultipart(
  request: Request,
  limits: MultipartLimits,
  handlers: MultipartHandlers,
): Promise<{ files: MultipartFile[]; fields: Map<string, string> }> {
  const contentType = request.headers.get("content-type") ?? "";
  const announced = declaredLength(request.headers);
  if (announced !== undefined && announced > limits.maxTotalBytes) {
    throw tooLarge(`the upload exceeds ${limits.maxTotalBytes} bytes`, "files");
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": contentType },
      defParamCharset: "utf8",
      limits: {
        files: limits.maxFiles,
        fileSize: limits.maxFileBytes,
        fields: limits.maxFields,
        fieldSize: limits.maxFieldBytes,
        parts: limits.maxFiles + limits.maxFields,
        fieldNameSize: 100,
        headerPairs: 16,
      },
    });
  } catch (error) {
    throw new FacedriftError(
      "unsupported_media_type",
      "send the body as multipart/form-data with a boundary",
      {
        field: "content-type",
        cause: error,
      },
    );
  }

  const files: MultipartFile[] = [];
  const fields = new Map<string, string>();
  let failure: FacedriftError | null = null;
  let settle: (() => void) | undefined;
  const finished = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const fail = (error: FacedriftError) => {
    if (failure) return;
    failure = error;
    settle?.();
  };

  parser.on("file", (field, stream, info) => {
    // Destroying the parser after a refusal errors the open file stream; that is expected.
    stream.on("error", () => {});
    const index = files.length;
    const where = `files[${index}]`;
    const refused = handlers.checkFilePart(field, index);
    const nameProblem = textProblem(info.filename ?? "");
    if (refused || nameProblem || codePointLength(info.filename ?? "") > limits.maxFilenameLength) {
      stream.resume();
      fail(
        refused ??
          new FacedriftError(
            "invalid_request",
            nameProblem
              ? `${where}: the file name ${nameProblem}`
              : `${where}: the file name is longer than ${limits.maxFilenameLength} characters`,
            { field: where, item: index },
          ),
      );
      return;
    }
    const file: MultipartFile = { field, filename: info.filename ?? "", bytes: new Uint8Array(0) };
    files.push(file);
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("limit", () => {
      fail(tooLarge(`${where} (${file.filename}) is larger than ${limits.maxFileBytes} bytes`, where));
    });
    stream.on("end", () => {
      file.bytes = new Uint8Array(Buffer.concat(chunks));
    });
  });
  parser.on("field", (field, value, info) => {
    if (info.valueTruncated || info.nameTruncated) {
      fail(tooLarge(`the text part "${field}" is longer than ${limits.maxFieldBytes} bytes`, field));
      return;
    }
    const why = textProblem(field) ?? textProblem(value);
    if (why) {
      fail(new FacedriftError("invalid_request", `${field}: ${why}`, { field }));
      return;
    }
    const refused = handlers.checkField(field, value);
    if (refused) fail(refused);
    else fields.set(field, value);
  });
  parser.on("filesLimit", () =>
    fail(tooLarge(`an upload may hold at most ${limits.maxFiles} files`, "files")),
  );
  parser.on("fieldsLimit", () => fail(tooLarge(`an upload may hold at most ${limits.maxFields} text parts`)));
  parser.on("partsLimit", () =>
    fail(tooLarge(`an upload may hold at most ${limits.maxFiles + limits.maxFields} parts`, "files")),
  );
  parser.on("error", (error) =>
    fail(new FacedriftError("invalid_request", "the multipart body is malformed", { cause: error })),
  );
  parser.on("close", () => settle?.());

  const reader = request.body?.getReader();
  let total = 0;
  try {
    while (reader && !failure) {
      const { done, value } = await Promise.race([
        reader.read(),
        finished.then(() => ({ done: true, value: undefined })),
      ]);
      if (done || failure || value === undefined) break;
      total += value.byteLength;
      if (total > limits.maxTotalBytes) {
        fail(tooLarge(`the upload exceeds ${limits.maxTotalBytes} bytes`, "files"));
        break;
      }
      // Backpressure: busboy buffers nothing beyond what it is handed, so wait when it says so.
      if (!parser.write(value)) {
        await Promise.race([new Promise<void>((resolve) => parser.once("drain", resolve)), finished]);
      }
    }
    if (!failure) {
      parser.end();
      await finished;
    }
  } finally {
    if (failure) {
      parser.removeAllListeners("close");
      parser.destroy();
      await reader?.cancel().catch(() => {});
    }
  }
  if (failure) throw failure;
  return { files, fields };
}
