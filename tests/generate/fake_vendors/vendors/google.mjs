// Google Veo through the Gemini API (x-goog-api-key, long-running operations, Files API download)
// and through Vertex AI (OAuth bearer, :fetchPredictOperation, inline bytes or Cloud Storage).
// Sources for every rule are listed in ../README.md ("Gemini", "Vertex").
import { readFileSync } from "node:fs";
import path from "node:path";
import { credential, hex, sendJson, uuid } from "../lib/http.mjs";
import { resultUrl, serveFile, storageError } from "../lib/results.mjs";
import * as v from "../lib/validate.mjs";
import { jsonObject, pollFault, requireJsonContentType, submitFault } from "../lib/vendor.mjs";

const GEMINI_MODELS = ["veo-3.1-generate-preview", "veo-3.1-fast-generate-preview", "veo-3.1-lite-generate-preview", "veo-3.0-generate-001", "veo-3.0-fast-generate-001", "veo-2.0-generate-001"];
const VERTEX_MODELS = ["veo-3.1-generate-001", "veo-3.1-fast-generate-001", "veo-3.1-lite-generate-001", "veo-3.1-generate-preview", "veo-3.1-fast-generate-preview", "veo-3.0-generate-001", "veo-3.0-fast-generate-001", "veo-2.0-generate-001"];
const GEMINI_FILE_LIFETIME_SECONDS = 2 * 24 * 3600;
const STATUS = { 400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "UNAVAILABLE", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED" };
// google.rpc.Code numbers for failures inside a finished operation.
const FAIL = {
  moderation: [3, "The prompt could not be submitted. This prompt contains sensitive words that violate Google's Responsible AI practices."],
  invalid_parameter: [3, "Invalid argument."],
  internal: [13, "Internal error encountered."],
};

function googleError(ctx, status, message, headers = {}, details) {
  sendJson(ctx.res, status, { error: { code: status, message, status: STATUS[status] ?? "UNKNOWN", ...(details ? { details } : {}) } }, headers);
}

const faultShapes = (ctx) => ({
  rateLimited: (s) =>
    googleError(ctx, 429, "Resource has been exhausted (e.g. check quota).", { "Retry-After": String(s) }, [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${s}s` }]),
  serverError: (st) => googleError(ctx, st, st === 503 ? "The service is currently unavailable." : "Internal error encountered."),
});

const family = (model) => (model.startsWith("veo-3.1") ? "3.1" : model.startsWith("veo-3.0") ? "3.0" : "2.0");

// An image in an instance: bytesBase64Encoded + mimeType; Vertex also takes a gs:// gcsUri.
function checkImage(img, where, vertex) {
  v.require(v.isObject(img), `${where} must be an object`, where);
  v.onlyKeys(img, vertex ? ["bytesBase64Encoded", "gcsUri", "mimeType"] : ["bytesBase64Encoded", "mimeType"], where);
  const mime = v.string(img, "mimeType", where, { required: true, values: ["image/jpeg", "image/png", "image/webp"] });
  if (img.gcsUri !== undefined) {
    v.require(img.bytesBase64Encoded === undefined, `${where}: give bytesBase64Encoded or gcsUri, not both`, where);
    v.require(typeof img.gcsUri === "string" && img.gcsUri.startsWith("gs://"), `${where}.gcsUri must be a gs:// URI`, `${where}.gcsUri`);
    return;
  }
  const data = v.string(img, "bytesBase64Encoded", where, { required: true });
  v.require(!data.startsWith("data:"), `${where}.bytesBase64Encoded must be plain base64, without a data: prefix`, `${where}.bytesBase64Encoded`);
  const bytes = v.parseRawBase64(data);
  v.require(bytes !== null, `${where}.bytesBase64Encoded is not valid base64`, `${where}.bytesBase64Encoded`);
  const kind = v.sniffImage(bytes);
  v.require(kind !== null && mime === `image/${kind}`, `${where}: the bytes are not a ${mime} image`, where);
}

// The predictLongRunning body; shared by both APIs, Vertex accepting more parameters.
function checkPredict(body, model, vertex) {
  v.onlyKeys(body, vertex ? ["instances", "parameters", "labels"] : ["instances", "parameters", "webhookConfig"]);
  const instances = v.array(body, "instances", "", { required: true, min: 1, max: 1 });
  const inst = instances[0];
  v.require(v.isObject(inst), "instances[0] must be an object", "instances[0]");
  v.onlyKeys(inst, ["prompt", "image", "lastFrame", "referenceImages", "video", ...(vertex ? ["mask"] : [])], "instances[0]");
  const fam = family(model);
  v.string(inst, "prompt", "instances[0]", { required: inst.image === undefined && inst.video === undefined });
  if (inst.image !== undefined) checkImage(inst.image, "instances[0].image", vertex);
  if (inst.lastFrame !== undefined) {
    v.require(fam === "3.1" || fam === "2.0", "lastFrame is not supported by this model", "instances[0].lastFrame");
    checkImage(inst.lastFrame, "instances[0].lastFrame", vertex);
  }
  const refs = v.array(inst, "referenceImages", "instances[0]", { max: 3 });
  refs?.forEach((r, i) => {
    const where = `instances[0].referenceImages[${i}]`;
    v.require(v.isObject(r), `${where} must be an object`, where);
    v.onlyKeys(r, ["image", "referenceType"], where);
    checkImage(r.image, `${where}.image`, vertex);
    v.string(r, "referenceType", where, { required: true, values: ["asset", "style"] });
  });
  const p = v.object(body, "parameters", "") ?? {};
  const geminiKeys = ["aspectRatio", "resolution", "durationSeconds", "negativePrompt", "personGeneration", "sampleCount", "enhancePrompt"];
  const vertexKeys = ["seed", "generateAudio", "storageUri", "fps", "compressionQuality", "resizeMode", "pubsubTopic"];
  for (const k of Object.keys(p)) {
    if (!vertex && vertexKeys.includes(k)) throw new v.Invalid(`parameters.${k} is not supported by the Gemini API (Vertex AI only)`, `parameters.${k}`);
  }
  v.onlyKeys(p, vertex ? [...geminiKeys, ...vertexKeys] : geminiKeys, "parameters");
  v.string(p, "aspectRatio", "parameters", { values: ["16:9", "9:16"] });
  const resolutions = fam === "3.1" ? ["720p", "1080p", "4k"] : fam === "3.0" ? ["720p", "1080p"] : ["720p"];
  const resolution = v.string(p, "resolution", "parameters", { values: resolutions }) ?? "720p";
  // int32 in the API: proto3 JSON also accepts the number as a string ("8").
  let duration = p.durationSeconds;
  if (typeof duration === "string" && /^\d+$/.test(duration)) duration = Number(duration);
  const durations = fam === "2.0" ? [5, 6, 7, 8] : [4, 6, 8];
  v.integer({ durationSeconds: duration }, "durationSeconds", "parameters", { values: durations });
  duration ??= 8;
  v.require(resolution === "720p" || duration === 8, `parameters.resolution ${resolution} needs durationSeconds 8`, "parameters.durationSeconds");
  v.require(!refs || duration === 8, "referenceImages need durationSeconds 8", "parameters.durationSeconds");
  v.string(p, "negativePrompt", "parameters");
  v.string(p, "personGeneration", "parameters", { values: ["allow_all", "allow_adult", "dont_allow"] });
  const samples = v.integer(p, "sampleCount", "parameters", { min: 1, max: 4 }) ?? 1;
  v.boolean(p, "enhancePrompt", "parameters");
  if (vertex) {
    v.integer(p, "seed", "parameters", { min: 0, max: 4294967295 });
    v.boolean(p, "generateAudio", "parameters");
    v.require(p.generateAudio === undefined || fam !== "2.0", "generateAudio is not supported by veo-2.0", "parameters.generateAudio");
    if (p.storageUri !== undefined) v.require(typeof p.storageUri === "string" && /^gs:\/\/[^/]+/.test(p.storageUri), "parameters.storageUri must be a gs:// URI", "parameters.storageUri");
    v.integer(p, "fps", "parameters", { values: [24] });
    v.string(p, "compressionQuality", "parameters", { values: ["optimized", "lossless"] });
    v.string(p, "resizeMode", "parameters", { values: ["pad", "crop"] });
  }
  return { prompt: inst.prompt, kind: inst.image ? "i2v" : "t2v", samples, storageUri: p.storageUri };
}

// ---- Gemini API ----

function geminiAuth(ctx) {
  const key = ctx.req.headers["x-goog-api-key"] ?? ctx.query.get("key");
  ctx.log.auth = key === undefined || key === null ? "missing" : key === ctx.keys.gemini ? "ok" : "invalid";
  if (ctx.log.auth === "ok") return true;
  if (ctx.log.auth === "missing") googleError(ctx, 403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
  else googleError(ctx, 400, "API key not valid. Please pass a valid API key.", {}, [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" }]);
  return false;
}

async function geminiSubmit(ctx, model) {
  if (!geminiAuth(ctx)) return;
  if (submitFault(ctx, "gemini", model, ctx.json?.instances?.[0]?.prompt, faultShapes(ctx))) return;
  if (!GEMINI_MODELS.includes(model)) return googleError(ctx, 404, `models/${model} is not found for API version v1beta, or is not supported for predictLongRunning. Call ListModels to see the list of available models and their supported methods.`);
  let checked;
  try {
    requireJsonContentType(ctx);
    checked = checkPredict(jsonObject(ctx), model, false);
  } catch (e) {
    if (!(e instanceof v.Invalid)) throw e;
    return googleError(ctx, 400, e.message);
  }
  const name = `models/${model}/operations/${hex(6)}`;
  ctx.store.createTask("gemini", { id: name, model, prompt: checked.prompt, kind: checked.kind, request: ctx.json, extra: { samples: checked.samples } });
  sendJson(ctx.res, 200, { name });
}

function operationBody(ctx, task, phase, samples) {
  const b = task.behaviour;
  const op = { name: task.id };
  if (phase === "queued" || phase === "running" || phase === "throttled") return op; // proto3 JSON leaves out done: false
  op.done = true;
  if (phase === "succeeded") op.response = samples();
  else if (phase === "rai_filtered") op.response = { raiMediaFilteredCount: 1, raiMediaFilteredReasons: [b.fail_message ?? "Your current safety settings for person generation blocked the video."] };
  // Veo has no status spelling to vary: the odd reply is a finished operation with neither a
  // response nor an error.
  else if (phase === "unknown_status") return op;
  else {
    const [code, message] = phase === "failed" ? FAIL[b.fail_kind] : phase === "expired" ? [4, "Deadline exceeded."] : [1, "The operation was cancelled."];
    op.error = { code: b.fail_code ?? code, message: b.fail_message ?? message };
  }
  return op;
}

function geminiPoll(ctx, name) {
  if (!geminiAuth(ctx)) return;
  const task = ctx.store.task("gemini", name);
  if (!task) return googleError(ctx, 404, `Operation ${name} not found.`);
  if (pollFault(ctx, task, faultShapes(ctx).serverError)) return;
  const phase = ctx.store.advance(task);
  const samples = () => {
    // One file per sample; the URI is stable (no re-signing), and lives 2 days.
    const expires = Math.floor(task.finished / 1000) + GEMINI_FILE_LIFETIME_SECONDS;
    const uri = resultUrl(ctx, task, { refresh: false, expires, build: (base, entry) => `${base}/gemini/v1beta/files/${entry.token}:download?alt=media` });
    const generatedSamples = Array.from({ length: task.samples }, () => ({ video: { uri } }));
    return { "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse", generateVideoResponse: { generatedSamples } };
  };
  const op = operationBody(ctx, task, phase, samples);
  if (phase === "rai_filtered") op.response = { "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse", generateVideoResponse: op.response };
  sendJson(ctx.res, 200, op);
}

function geminiDownload(ctx, fileId) {
  if (!geminiAuth(ctx)) return;
  if (ctx.query.get("alt") !== "media") return googleError(ctx, 400, "Files can only be downloaded with alt=media.");
  const entry = ctx.store.tokens[fileId];
  if (!entry || entry.vendor !== "gemini") return storageError(ctx.res, "google", "missing", `files/${fileId}`);
  serveFile(ctx, fileId, { style: "google", checkSignature: false });
}

export const gemini = {
  name: "gemini",
  async handle(ctx) {
    const { method, path: p } = ctx;
    let m = /^\/v1beta\/models\/([^/:]+):predictLongRunning$/.exec(p);
    if (method === "POST" && m) return geminiSubmit(ctx, decodeURIComponent(m[1])), true;
    m = /^\/v1beta\/(models\/[^/:]+\/operations\/[^/:]+)$/.exec(p);
    if (method === "GET" && m) return geminiPoll(ctx, m[1]), true;
    m = /^\/v1beta\/files\/([^/:]+):download$/.exec(p);
    if ((method === "GET" || method === "HEAD") && m) return geminiDownload(ctx, m[1]), true;
    return false;
  },
  serveFile: (ctx, token) => storageError(ctx.res, "google", "missing", token),
};

// ---- Vertex AI ----

function vertexAuth(ctx) {
  const token = credential(ctx.req, "Bearer");
  ctx.log.auth = token === null ? "missing" : token === ctx.keys.vertex ? "ok" : "invalid";
  if (ctx.log.auth === "ok") return true;
  googleError(
    ctx,
    401,
    token === null
      ? "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential."
      : "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
  );
  return false;
}

async function vertexSubmit(ctx, resource, model) {
  if (!vertexAuth(ctx)) return;
  if (submitFault(ctx, "vertex", model, ctx.json?.instances?.[0]?.prompt, faultShapes(ctx))) return;
  if (!VERTEX_MODELS.includes(model)) return googleError(ctx, 404, `Publisher Model \`${resource}\` was not found or your project does not have access to it.`);
  let checked;
  try {
    requireJsonContentType(ctx);
    checked = checkPredict(jsonObject(ctx), model, true);
  } catch (e) {
    if (!(e instanceof v.Invalid)) throw e;
    return googleError(ctx, 400, e.message);
  }
  const name = `${resource}/operations/${uuid()}`;
  ctx.store.createTask("vertex", { id: name, model, prompt: checked.prompt, kind: checked.kind, request: ctx.json, extra: { samples: checked.samples, storageUri: checked.storageUri ?? null, resource } });
  sendJson(ctx.res, 200, { name });
}

function vertexFetch(ctx, resource) {
  if (!vertexAuth(ctx)) return;
  let opName;
  try {
    const body = jsonObject(ctx);
    v.onlyKeys(body, ["operationName"]);
    opName = v.string(body, "operationName", "", { required: true });
  } catch (e) {
    if (!(e instanceof v.Invalid)) throw e;
    return googleError(ctx, 400, e.message);
  }
  const task = ctx.store.task("vertex", opName);
  if (!task || task.resource !== resource) return googleError(ctx, 404, `Operation ${opName} not found for ${resource}.`);
  if (pollFault(ctx, task, faultShapes(ctx).serverError)) return;
  const phase = ctx.store.advance(task);
  const samples = () => {
    const videos = [];
    for (let i = 0; i < task.samples; i++) {
      if (task.storageUri) {
        // Written to the caller's bucket: the object lives until they delete it.
        const entry = ctx.store.fileToken(task, { refresh: false, expires: 2 ** 31 - 1 });
        const { bucket, prefix } = splitGs(task.storageUri);
        const object = `${prefix}${task.id.split("/").pop()}/sample_${i}.mp4`;
        (task.gcs ??= {})[`${bucket}/${object}`] = entry.token;
        ctx.store.save();
        videos.push({ gcsUri: `gs://${bucket}/${object}`, mimeType: "video/mp4" });
      } else {
        videos.push({ bytesBase64Encoded: inlineBytes(ctx, task).toString("base64"), mimeType: "video/mp4" });
      }
    }
    return { "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse", raiMediaFilteredCount: 0, videos };
  };
  const op = operationBody(ctx, task, phase, samples);
  if (phase === "rai_filtered") op.response = { "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse", ...op.response };
  sendJson(ctx.res, 200, op);
}

function splitGs(uri) {
  const m = /^gs:\/\/([^/]+)\/?(.*)$/.exec(uri);
  const prefix = m[2] === "" || m[2].endsWith("/") ? m[2] : `${m[2]}/`;
  return { bucket: m[1], prefix };
}

// The clip's bytes for an inline answer (honours the media and not_video behaviours).
function inlineBytes(ctx, task) {
  const b = task.behaviour;
  if (b.not_video === "html") return Buffer.from("<!doctype html><html><body>Access denied</body></html>");
  if (b.not_video === "text") return Buffer.from("this is not a video\n");
  return readFileSync(path.join(ctx.config.mediaDir, b.media ?? ctx.config.defaultMedia));
}

// Cloud Storage JSON API object download, for results written to storageUri.
function gcsDownload(ctx, bucket, object) {
  if (!vertexAuth(ctx)) return;
  if (ctx.query.get("alt") !== "media") return googleError(ctx, 400, "This fake serves object data only (alt=media).");
  const token = Object.values(ctx.store.tasks).find((t) => t.vendor === "vertex" && t.gcs?.[`${bucket}/${object}`])?.gcs[`${bucket}/${object}`];
  if (!token) return storageError(ctx.res, "gcs", "missing", `${bucket}/${object}`);
  serveFile(ctx, token, { style: "gcs", checkSignature: false });
}

export const vertex = {
  name: "vertex",
  async handle(ctx) {
    const { method, path: p } = ctx;
    let m = /^\/v1(?:beta1)?\/(projects\/[^/]+\/locations\/[^/]+\/publishers\/google\/models\/([^/:]+)):(predictLongRunning|fetchPredictOperation)$/.exec(p);
    if (method === "POST" && m) return (m[3] === "predictLongRunning" ? vertexSubmit(ctx, m[1], m[2]) : vertexFetch(ctx, m[1])), true;
    m = /^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)$/.exec(p);
    if ((method === "GET" || method === "HEAD") && m) return gcsDownload(ctx, decodeURIComponent(m[1]), decodeURIComponent(m[2])), true;
    return false;
  },
  serveFile: (ctx, token) => storageError(ctx.res, "gcs", "missing", token),
};

