/**
 * @module
 * E-mail over SMTP with nodemailer: one message per incident notification, a plain-text and an
 * HTML body carrying the same facts and the dashboard link. Mail clients thread the messages of
 * one incident: the opening message's `Message-ID` is `<incident-<id>@facedrift>`, and the
 * escalation and resolve name it in `In-Reply-To` and `References` (RFC 5322 §3.6.4).
 *
 * Retry verdict (RFC 5321 §4.2.1): a 5yz reply is a permanent rejection (bad recipient, policy),
 * a 4yz reply a transient one (greylisting, mailbox busy); nodemailer reports which as
 * `permanent`. Bad credentials will not get better either. Connection failures and timeouts may.
 * A new connection per delivery keeps a stuck server from holding a pool hostage between alerts.
 */
import type { LookupAddress } from "node:dns";
import { createTransport } from "nodemailer";
import type { EmailConfig } from "../config.ts";
import { DeliveryError, isAbort } from "../delivery-error.ts";
import { EgressRefused, egressPolicy, literalAddress, resolveChecked } from "../egress.ts";
import { describeNotification, headline } from "../format.ts";
import type { DeliverOptions, DeliveryReceipt, IncidentNotification } from "../types.ts";

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  permanent?: boolean;
}

/** Errors that come from our configuration, not the moment: retrying repeats them. */
const CONFIG_ERRORS = new Set(["EAUTH", "ENOAUTH", "ECONFIG", "EREQUIRETLS", "ETLS"]);

export async function deliver(
  notification: IncidentNotification,
  config: EmailConfig,
  options: DeliverOptions = {},
): Promise<DeliveryReceipt> {
  // nodemailer resolves names itself, unguarded, and reads `2852039166` as 169.254.169.254: resolve
  // and check here, once, and hand it the checked address. TLS still verifies the name given.
  let target: LookupAddress;
  try {
    [target] = (await resolveChecked(config.host, egressPolicy())) as [LookupAddress];
  } catch (error) {
    throw toDeliveryError(error, options.signal);
  }
  const name = literalAddress(config.host) ? undefined : config.host;
  const transport = createTransport({
    host: target.address,
    port: config.port,
    secure: config.secure,
    ...(name ? { servername: name } : {}),
    ...(config.auth ? { auth: { user: config.auth.user, pass: config.auth.pass } } : {}),
  });
  const message = emailMessage(notification);
  try {
    const info = await transport.sendMail({
      from: config.from,
      to: config.to,
      ...message,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { detail: info.response };
  } catch (error) {
    throw toDeliveryError(error, options.signal);
  } finally {
    transport.close();
  }
}

/** Subject, headers and both bodies; exported for previews. */
export function emailMessage(n: IncidentNotification) {
  const { incident } = n;
  const title = headline(n);
  const facts = describeNotification(n);
  const text = [
    title,
    "",
    ...facts.map(({ label, value }) => `${label}: ${value}`),
    "",
    `Open in the dashboard: ${n.dashboardUrl}`,
    "",
    `Incident #${incident.id}, ${n.transition} ${n.at.toISOString()}.`,
  ].join("\n");
  const rows = facts
    .map(({ label, value }) => `<tr><th align="left">${html(label)}</th><td>${html(value)}</td></tr>`)
    .join("");
  const body = [
    `<h2>${html(title)}</h2>`,
    `<table cellpadding="4">${rows}</table>`,
    `<p><a href="${html(n.dashboardUrl)}">Open in the dashboard</a></p>`,
    `<p style="color:#666">Incident #${incident.id}, ${n.transition} ${n.at.toISOString()}.</p>`,
  ].join("\n");
  const thread = `<incident-${incident.tenantId}-${incident.id}@facedrift>`;
  return {
    subject: `[Facedrift ${incident.severity.toUpperCase()}] ${incident.stream}: ${title}`,
    text,
    html: `<!doctype html><html><body>${body}</body></html>`,
    priority:
      incident.severity === "critical" && n.transition !== "resolved"
        ? ("high" as const)
        : ("normal" as const),
    // The opening message is the thread's root; later ones reply to it.
    ...(n.transition === "opened" ? { messageId: thread } : { inReplyTo: thread, references: [thread] }),
    headers: {
      "X-Facedrift-Incident": String(incident.id),
      "X-Facedrift-Transition": n.transition,
      "X-Facedrift-Severity": incident.severity,
      // RFC 3834: machine-generated, so auto-responders must not answer it.
      "Auto-Submitted": "auto-generated",
    },
  };
}

function toDeliveryError(error: unknown, signal: AbortSignal | undefined): DeliveryError {
  if (error instanceof EgressRefused) {
    // A refused destination stays refused: retrying would only repeat the lookup.
    return new DeliveryError("email", `email: refused: ${error.message}`, { retryable: false, cause: error });
  }
  const smtp = (error ?? {}) as SmtpError;
  const message = error instanceof Error ? error.message : String(error);
  if (smtp.code === "EABORT" || isAbort(error, signal)) {
    return new DeliveryError("email", `email: aborted (timeout): ${message}`, {
      retryable: true,
      timedOut: true,
      cause: error,
    });
  }
  const permanent =
    typeof smtp.permanent === "boolean"
      ? smtp.permanent
      : smtp.responseCode !== undefined
        ? smtp.responseCode >= 500 && smtp.responseCode !== 503
        : CONFIG_ERRORS.has(smtp.code ?? "");
  return new DeliveryError("email", `email: ${smtp.code ?? "error"}: ${message}`, {
    retryable: !permanent,
    cause: error,
  });
}

function html(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}
