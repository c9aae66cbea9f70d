// Steps every fake vendor takes the same way, each answering in its own error shape.
import { Invalid } from "./validate.mjs";

// Runs the faults a test asked for on submit: 429 with Retry-After, or a 5xx. Returns true when
// the request was answered. `shapes.rateLimited(retryAfter)` and `shapes.serverError(status)`
// write the vendor's own bodies.
export function submitFault(ctx, vendor, model, prompt, shapes) {
  const f = ctx.store.submitFault(vendor, model, prompt);
  if (!f) return false;
  ctx.log.fault = f.kind === "429" ? `429 retry-after ${f.retryAfter}` : `submit ${f.status}`;
  if (f.kind === "429") shapes.rateLimited(f.retryAfter);
  else shapes.serverError(f.status);
  return true;
}

// A poll the behaviour says to fail with a 5xx; true when answered.
export function pollFault(ctx, task, serverError) {
  const status = ctx.store.pollFault(task);
  if (status === null) return false;
  ctx.log.fault = `poll ${status}`;
  serverError(status);
  return true;
}

// The parsed JSON object body, or throws Invalid.
export function jsonObject(ctx) {
  if (ctx.jsonError) throw new Invalid(`request body is not valid JSON: ${ctx.jsonError}`, "body");
  if (ctx.json === null || typeof ctx.json !== "object" || Array.isArray(ctx.json)) throw new Invalid("request body must be a JSON object", "body");
  return ctx.json;
}

export function requireJsonContentType(ctx) {
  const ct = ctx.req.headers["content-type"] ?? "";
  if (!/^application\/json\b/i.test(ct)) throw new Invalid(`Content-Type must be application/json (got "${ct}")`, "Content-Type");
}

// Task ages on the fake clock.
export const hoursSince = (ctx, ms) => (ctx.store.now() - ms) / 3_600_000;
