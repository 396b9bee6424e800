import { z } from "@hono/zod-openapi";
import { publicIdSchema } from "../../public-ids.ts";

export const LoginBodySchema = z
  .object({
    email: z.string().min(3).max(320),
    password: z.string().min(1).max(1024),
  })
  .openapi("LoginRequest");

export const SessionSchema = z
  .object({
    user: z.object({ id: publicIdSchema("user"), email: z.string() }),
    tenantId: publicIdSchema("tenant"),
    csrfToken: z
      .string()
      .openapi({ description: "Send back as X-CSRF-Token on POST, PUT, PATCH and DELETE" }),
    expiresAt: z.string().optional(),
  })
  .openapi("Session");
