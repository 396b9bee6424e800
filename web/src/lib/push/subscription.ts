/**
 * @module
 * This browser's push subscription, for the Settings page: ask for permission, subscribe with
 * the server's VAPID key, store the subscription server-side; and undo all of it.
 */
import { deletePushSubscription, getVapidPublicKey, savePushSubscription } from "../api/push.ts";

export type PushState =
  | { kind: "unsupported"; reason: string }
  | { kind: "denied" }
  | { kind: "off" }
  | { kind: "on"; endpoint: string };

/**
 * How long to wait for the browser's push service. `pushManager.subscribe()` talks to it (FCM for
 * Chrome) and never settles when it is unreachable, which would leave the button spinning.
 */
const SUBSCRIBE_TIMEOUT_MS = 20_000;

export async function readPushState(): Promise<PushState> {
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    return {
      kind: "unsupported",
      reason: "This browser has no web push (on iPhone: add to Home Screen first).",
    };
  }
  if (Notification.permission === "denied") return { kind: "denied" };
  const registration = await navigator.serviceWorker.getRegistration();
  const subscription = await registration?.pushManager.getSubscription();
  return subscription ? { kind: "on", endpoint: subscription.endpoint } : { kind: "off" };
}

/** Asks for permission and subscribes; the promise rejects with a message for the page. */
export async function subscribeThisBrowser(): Promise<PushState> {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") return permission === "denied" ? { kind: "denied" } : { kind: "off" };
  const registration = await navigator.serviceWorker.ready;
  const key = await getVapidPublicKey();
  const subscription = await withTimeout(
    registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: base64UrlToBytes(key),
    }),
    SUBSCRIBE_TIMEOUT_MS,
    "The browser's push service did not answer; check the connection and try again.",
  );
  try {
    await savePushSubscription(subscription.toJSON());
  } catch (error) {
    // A subscription the server does not know would never receive anything: drop it.
    await subscription.unsubscribe().catch(() => undefined);
    throw error;
  }
  return { kind: "on", endpoint: subscription.endpoint };
}

export async function unsubscribeThisBrowser(): Promise<PushState> {
  const registration = await navigator.serviceWorker.getRegistration();
  const subscription = await registration?.pushManager.getSubscription();
  if (subscription) {
    await deletePushSubscription(subscription.endpoint).catch((error: unknown) => {
      // Already gone server-side (e.g. the push service reported it expired): still unsubscribe.
      if (!(error instanceof Error && "status" in error && error.status === 404)) throw error;
    });
    await subscription.unsubscribe();
  }
  return { kind: "off" };
}

/** VAPID keys travel as base64url; `applicationServerKey` wants the raw bytes. */
export function base64UrlToBytes(value: string): Uint8Array<ArrayBuffer> {
  const base64 = value
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(value.length / 4) * 4, "=");
  const binary = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
