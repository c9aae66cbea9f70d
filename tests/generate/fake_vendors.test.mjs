// The fake vendor server (fake_vendors/server.mjs) against requests written from the vendors'
// documentation: each vendor's happy path end to end (submit, poll, download the clip ffmpeg
// made), the refusals an adapter bug would meet, and the faults the control API injects.
// Run by CTest (label "generate").
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SERVER = path.join(HERE, "fake_vendors", "server.mjs");
const FFMPEG = process.env.FFMPEG ?? "ffmpeg";

// ---- a fake server process ----

function startFake(args) {
  const child = spawn(process.execPath, [SERVER, ...args], { stdio: ["pipe", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n")[0];
      if (out.includes("\n")) {
        try {
          resolve({ child, base: `http://127.0.0.1:${JSON.parse(line).port}` });
        } catch (e) {
          reject(e);
        }
      }
    });
    child.on("exit", (code) => reject(new Error(`fake exited with ${code} before it was ready`)));
  });
}

function stopFake(fake, signal = "SIGTERM") {
  return new Promise((resolve) => {
    if (fake.child.exitCode !== null || fake.child.signalCode !== null) return resolve();
    fake.child.once("exit", resolve);
    fake.child.kill(signal);
  });
}

let dir;
let clip;
let fake;
let keys;

async function call(method, url, { headers = {}, json, raw, redirect = "follow" } = {}) {
  const init = { method, headers: { ...headers }, redirect };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] ??= "application/json";
  } else if (raw !== undefined) init.body = raw;
  const res = await fetch(url.startsWith("http") ? url : `${fake.base}${url}`, init);
  const text = await res.text();
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body };
}

const control = (method, p, json) => call(method, `/_control${p}`, { json });
const behave = async (spec) => assert.equal((await control("POST", "/behaviour", spec)).status, 201);
const bytesOf = async (url, headers = {}) => Buffer.from(await (await fetch(url, { headers })).arrayBuffer());

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "fake-vendors-"));
  clip = path.join(dir, "clip.mp4");
  execFileSync(FFMPEG, ["-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x90:rate=24", "-t", "1", "-pix_fmt", "yuv420p", clip]);
  execFileSync(FFMPEG, ["-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=24", "-t", "2", "-pix_fmt", "yuv420p", path.join(dir, "wrong.mp4")]);
  fake = await startFake(["--media", dir]);
  keys = (await control("GET", "/keys")).body;
});

after(async () => {
  if (fake) await stopFake(fake);
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await control("POST", "/reset");
});

// A 1x1 PNG, for image-to-video requests.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const PNG_B64 = PNG.toString("base64");
const PNG_DATA_URI = `data:image/png;base64,${PNG_B64}`;

// ---- DashScope ----

describe("dashscope", () => {
  const create = "/dashscope/api/v1/services/aigc/video-generation/video-synthesis";
  const auth = () => ({ Authorization: `Bearer ${keys.dashscope}`, "X-DashScope-Async": "enable" });
  const t2v = (parameters = {}) => ({ model: "happyhorse-1.0-t2v", input: { prompt: "a horse in a field" }, parameters: { resolution: "720P", ratio: "16:9", duration: 5, watermark: false, seed: 7, ...parameters } });
  const poll = (id) => call("GET", `/dashscope/api/v1/tasks/${id}`, { headers: { Authorization: `Bearer ${keys.dashscope}` } });

  test("HappyHorse text-to-video: PENDING, RUNNING, SUCCEEDED with usage, then the clip", async () => {
    const r = await call("POST", create, { headers: auth(), json: t2v() });
    assert.equal(r.status, 200);
    assert.equal(r.body.output.task_status, "PENDING");
    const id = r.body.output.task_id;
    assert.equal((await poll(id)).body.output.task_status, "PENDING");
    assert.equal((await poll(id)).body.output.task_status, "RUNNING");
    const done = await poll(id);
    assert.equal(done.body.output.task_status, "SUCCEEDED");
    assert.deepEqual(done.body.usage, { duration: 5, input_video_duration: 0, output_video_duration: 5, video_count: 1, SR: 720, ratio: "16:9" });
    assert.deepEqual(await bytesOf(done.body.output.video_url), readFileSync(clip));
    const subs = (await control("GET", "/submissions")).body;
    assert.equal(subs.by_prompt.dashscope["a horse in a field"], 1);
    const logged = (await control("GET", "/requests?vendor=dashscope")).body[0];
    assert.match(logged.headers.authorization, /^Bearer <redacted \d+ chars>$/);
    assert.ok(!JSON.stringify(logged).includes(keys.dashscope), "the key never appears in the request log");
  });

  test("running counts tasks accepted and not yet ended; most_running keeps the peak", async () => {
    const first = (await call("POST", create, { headers: auth(), json: t2v() })).body.output.task_id;
    await call("POST", create, { headers: auth(), json: t2v() });
    await call("POST", create, { headers: { ...auth(), Authorization: "Bearer wrong" }, json: t2v() });
    let subs = (await control("GET", "/submissions")).body;
    assert.equal(subs.running, 2, "a refused submit is no task");
    for (let i = 0; i < 3; ++i) await poll(first); // PENDING, RUNNING, SUCCEEDED
    await poll(first);
    subs = (await control("GET", "/submissions")).body;
    assert.equal(subs.running, 1);
    assert.equal(subs.most_running, 2);
  });

  test("HappyHorse image-to-video takes input.media first_frame and no ratio", async () => {
    const body = { model: "happyhorse-1.0-i2v", input: { prompt: "moves", media: [{ type: "first_frame", url: PNG_DATA_URI }] }, parameters: { resolution: "1080P", duration: 3 } };
    assert.equal((await call("POST", create, { headers: auth(), json: body })).status, 200);
    const withRatio = structuredClone(body);
    withRatio.parameters.ratio = "16:9";
    const r = await call("POST", create, { headers: auth(), json: withRatio });
    assert.equal(r.status, 400);
    assert.equal(r.body.code, "InvalidParameter");
    const imgUrl = { model: "happyhorse-1.0-i2v", input: { img_url: PNG_DATA_URI } };
    assert.equal((await call("POST", create, { headers: auth(), json: imgUrl })).status, 400);
  });

  test("refusals: async header, key, lower-case resolution, string duration, range, Wan size with x", async () => {
    const noAsync = await call("POST", create, { headers: { Authorization: `Bearer ${keys.dashscope}` }, json: t2v() });
    assert.equal(noAsync.status, 403);
    assert.equal(noAsync.body.message, "current user api does not support synchronous calls");
    const badKey = await call("POST", create, { headers: { ...auth(), Authorization: "Bearer sk-wrong" }, json: t2v() });
    assert.equal(badKey.status, 401);
    assert.equal(badKey.body.code, "InvalidApiKey");
    for (const p of [{ resolution: "720p" }, { duration: "5" }, { duration: 16 }, { seed: -1 }, { watermark: "false" }, { size: "1280*720" }]) {
      const r = await call("POST", create, { headers: auth(), json: t2v(p) });
      assert.equal(r.status, 400, JSON.stringify(p));
      assert.equal(r.body.code, "InvalidParameter");
    }
    const wan = (size) => ({ model: "wan2.5-t2v-preview", input: { prompt: "x" }, parameters: { size, duration: 5 } });
    assert.equal((await call("POST", create, { headers: auth(), json: wan("1280x720") })).status, 400);
    assert.equal((await call("POST", create, { headers: auth(), json: wan("1280*720") })).status, 200);
    const wanI2v = { model: "wan2.2-i2v-flash", input: { prompt: "x", img_url: PNG_DATA_URI }, parameters: { resolution: "720P" } };
    assert.equal((await call("POST", create, { headers: auth(), json: wanI2v })).status, 200);
    assert.equal((await control("GET", "/submissions")).body.by_vendor.dashscope, 2, "refused submits are not counted");
  });

  test("a task failure is FAILED inside HTTP 200; an unknown id is UNKNOWN", async () => {
    await behave({ vendor: "dashscope", outcome: "fail", fail_kind: "moderation", polls_before_done: 0 });
    const id = (await call("POST", create, { headers: auth(), json: t2v() })).body.output.task_id;
    const r = await poll(id);
    assert.equal(r.status, 200);
    assert.equal(r.body.output.task_status, "FAILED");
    assert.equal(r.body.output.code, "DataInspectionFailed");
    const u = await poll("no-such-task");
    assert.equal(u.status, 200);
    assert.equal(u.body.output.task_status, "UNKNOWN");
  });

  test("429 with Retry-After twice, then accepted; the task id expires after 24 h", async () => {
    await behave({ vendor: "dashscope", prompt_contains: "horse", submit_429: 2, retry_after: 3, polls_before_done: 0 });
    for (let i = 0; i < 2; i++) {
      const r = await call("POST", create, { headers: auth(), json: t2v() });
      assert.equal(r.status, 429);
      assert.equal(r.headers.get("retry-after"), "3");
    }
    const ok = await call("POST", create, { headers: auth(), json: t2v() });
    assert.equal(ok.status, 200);
    assert.equal((await control("GET", "/submissions")).body.total, 1);
    assert.equal((await poll(ok.body.output.task_id)).body.output.task_status, "SUCCEEDED");
    await control("POST", "/clock", { advance_seconds: 24 * 3600 + 1 });
    assert.equal((await poll(ok.body.output.task_id)).body.output.task_status, "UNKNOWN");
  });

  test("an expired first URL answers like OSS; the next query signs a fresh one", async () => {
    await behave({ vendor: "dashscope", expired_url_first: true, polls_before_done: 0 });
    const id = (await call("POST", create, { headers: auth(), json: t2v() })).body.output.task_id;
    const first = (await poll(id)).body.output.video_url;
    const r = await fetch(first);
    assert.equal(r.status, 403);
    assert.match(await r.text(), /<Code>AccessDenied<\/Code>/);
    const second = (await poll(id)).body.output.video_url;
    assert.notEqual(second, first);
    assert.deepEqual(await bytesOf(second), readFileSync(clip));
  });
});

// ---- Ark (Seedance) ----

describe("ark", () => {
  const tasks = "/ark/api/v3/contents/generations/tasks";
  const headers = () => ({ Authorization: `Bearer ${keys.ark}` });
  const body = (extra = {}) => ({
    model: "seedance-1-5-pro-251215",
    content: [
      { type: "text", text: "a kitten yawns" },
      { type: "image_url", image_url: { url: PNG_DATA_URI }, role: "first_frame" },
    ],
    resolution: "720p",
    ratio: "16:9",
    duration: 5,
    watermark: false,
    ...extra,
  });

  test("queued, running, succeeded with content.video_url and usage.completion_tokens", async () => {
    const r = await call("POST", tasks, { headers: headers(), json: body() });
    assert.equal(r.status, 200);
    assert.match(r.body.id, /^cgt-\d{14}-[0-9a-f]{4}$/);
    const states = [];
    let t;
    for (let i = 0; i < 3; i++) {
      t = (await call("GET", `${tasks}/${r.body.id}`, { headers: headers() })).body;
      states.push(t.status);
    }
    assert.deepEqual(states, ["queued", "running", "succeeded"]);
    assert.equal(t.usage.completion_tokens, (1280 * 720 * 24 * 5) / 1024);
    assert.equal(t.resolution, "720p");
    assert.deepEqual(await bytesOf(t.content.video_url), readFileSync(clip));
  });

  test("refusals: upper-case 720P, upper-case data URI type, two first frames, bad key", async () => {
    for (const b of [
      body({ resolution: "720P" }),
      body({ content: [{ type: "image_url", image_url: { url: `data:image/PNG;base64,${PNG_B64}` }, role: "first_frame" }] }),
      body({ content: [{ type: "image_url", image_url: { url: PNG_DATA_URI }, role: "first_frame" }, { type: "image_url", image_url: { url: PNG_DATA_URI }, role: "first_frame" }] }),
      body({ duration: "5" }),
    ]) {
      const r = await call("POST", tasks, { headers: headers(), json: b });
      assert.equal(r.status, 400);
      assert.equal(r.body.error.code, "InvalidParameter");
    }
    assert.equal((await call("POST", tasks, { headers: { Authorization: "Bearer nope" }, json: body() })).status, 401);
  });

  test("failed with error{code,message}, and expired", async () => {
    await behave({ vendor: "ark", outcome: "fail", fail_code: "InputTextSensitiveContentDetected", polls_before_done: 0 });
    await behave({ vendor: "ark", outcome: "expire", polls_before_done: 0 });
    const a = (await call("POST", tasks, { headers: headers(), json: body() })).body.id;
    const b = (await call("POST", tasks, { headers: headers(), json: body() })).body.id;
    const fa = (await call("GET", `${tasks}/${a}`, { headers: headers() })).body;
    assert.equal(fa.status, "failed");
    assert.equal(fa.error.code, "InputTextSensitiveContentDetected");
    assert.equal((await call("GET", `${tasks}/${b}`, { headers: headers() })).body.status, "expired");
  });
});

// ---- Kling ----

function klingJwt({ ak, sk, nbf, exp, alg = "HS256" }) {
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const head = `${enc({ alg, typ: "JWT" })}.${enc({ iss: ak, exp, nbf })}`;
  return `${head}.${createHmac("sha256", sk).update(head).digest("base64url")}`;
}

describe("kling", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const token = (over = {}) => {
    const [ak, sk] = keys.kling.split(":");
    return klingJwt({ ak, sk, nbf: now() - 5, exp: now() + 1800, ...over });
  };
  const headers = (t = token()) => ({ Authorization: `Bearer ${t}` });

  test("image2video with raw base64: submitted, processing, succeed with final_unit_deduction", async () => {
    const r = await call("POST", "/kling/v1/videos/image2video", { headers: headers(), json: { model_name: "kling-v2-6", image: PNG_B64, prompt: "wave", mode: "pro", duration: "5", sound: "on" } });
    assert.equal(r.status, 200);
    assert.equal(r.body.code, 0);
    assert.equal(r.body.data.task_status, "submitted");
    const id = r.body.data.task_id;
    const q = async () => (await call("GET", `/kling/v1/videos/image2video/${id}`, { headers: headers() })).body;
    assert.equal((await q()).data.task_status, "submitted");
    assert.equal((await q()).data.task_status, "processing");
    const done = await q();
    assert.equal(done.data.task_status, "succeed");
    assert.equal(typeof done.data.final_unit_deduction, "string");
    assert.deepEqual(await bytesOf(done.data.task_result.videos[0].url), readFileSync(clip));
    assert.equal((await call("GET", `/kling/v1/videos/text2video/${id}`, { headers: headers() })).status, 404, "an image2video task is not found under text2video");
  });

  test("refusals: numeric duration, data: prefix, cfg_scale on v2, and each JWT problem", async () => {
    const t2v = (extra) => ({ model_name: "kling-v2-5-turbo", prompt: "x", duration: "5", ...extra });
    for (const b of [t2v({ duration: 5 }), t2v({ cfg_scale: 0.5 })]) {
      const r = await call("POST", "/kling/v1/videos/text2video", { headers: headers(), json: b });
      assert.equal(r.status, 400);
      assert.equal(r.body.code, 1201);
    }
    const prefixed = await call("POST", "/kling/v1/videos/image2video", { headers: headers(), json: { image: PNG_DATA_URI } });
    assert.equal(prefixed.body.code, 1201);
    const cases = [
      [token({ exp: now() - 1 }), 1004],
      [token({ nbf: now() + 60 }), 1003],
      [klingJwt({ ak: keys.kling.split(":")[0], sk: "wrong-secret", nbf: now() - 5, exp: now() + 60 }), 1002],
      [klingJwt({ ak: "someone-else", sk: keys.kling.split(":")[1], nbf: now() - 5, exp: now() + 60 }), 1002],
    ];
    for (const [t, code] of cases) {
      const r = await call("POST", "/kling/v1/videos/text2video", { headers: headers(t), json: t2v() });
      assert.equal(r.status, 401);
      assert.equal(r.body.code, code);
    }
    assert.equal((await call("POST", "/kling/v1/videos/text2video", { json: t2v() })).body.code, 1001);
  });
});

// ---- Veo: Gemini API and Vertex AI ----

describe("gemini", () => {
  const key = () => ({ "x-goog-api-key": keys.gemini });
  const submit = (model, body) => call("POST", `/gemini/v1beta/models/${model}:predictLongRunning`, { headers: key(), json: body });

  test("operation without done while running, then generatedSamples; the download needs the key", async () => {
    const r = await submit("veo-3.1-generate-preview", { instances: [{ prompt: "a fox" }], parameters: { aspectRatio: "16:9", resolution: "1080p", durationSeconds: 8, personGeneration: "allow_all" } });
    assert.equal(r.status, 200);
    assert.match(r.body.name, /^models\/veo-3\.1-generate-preview\/operations\/\w+$/);
    const op = async () => (await call("GET", `/gemini/v1beta/${r.body.name}`, { headers: key() })).body;
    assert.equal((await op()).done, undefined);
    await op();
    const done = await op();
    assert.equal(done.done, true);
    const uri = done.response.generateVideoResponse.generatedSamples[0].video.uri;
    assert.match(uri, /\/gemini\/v1beta\/files\/\w+:download\?alt=media$/);
    assert.equal((await fetch(uri)).status, 403);
    assert.deepEqual(await bytesOf(uri, key()), readFileSync(clip));
  });

  test("refusals: 1080p at 6 s, seed (Vertex only), gcsUri image, data: prefix, unknown model, bad key", async () => {
    const bad = [
      { instances: [{ prompt: "x" }], parameters: { resolution: "1080p", durationSeconds: 6 } },
      { instances: [{ prompt: "x" }], parameters: { seed: 1 } },
      { instances: [{ prompt: "x", image: { gcsUri: "gs://b/x.png", mimeType: "image/png" } }] },
      { instances: [{ prompt: "x", image: { bytesBase64Encoded: PNG_DATA_URI, mimeType: "image/png" } }] },
      { instances: [{ prompt: "x" }], parameters: { durationSeconds: 5 } },
    ];
    for (const b of bad) {
      const r = await submit("veo-3.0-generate-001", b);
      assert.equal(r.status, 400, JSON.stringify(b));
      assert.equal(r.body.error.status, "INVALID_ARGUMENT");
    }
    assert.equal((await submit("veo-9", { instances: [{ prompt: "x" }] })).status, 404);
    const wrongKey = await call("POST", "/gemini/v1beta/models/veo-3.0-generate-001:predictLongRunning", { headers: { "x-goog-api-key": "nope" }, json: { instances: [{ prompt: "x" }] } });
    assert.equal(wrongKey.status, 400);
    const i2v = await submit("veo-3.0-generate-001", { instances: [{ prompt: "x", image: { bytesBase64Encoded: PNG_B64, mimeType: "image/png" } }], parameters: { durationSeconds: "8" } });
    assert.equal(i2v.status, 200);
  });

  test("RAI-filtered: done, no samples, the filter counts", async () => {
    await behave({ vendor: "gemini", outcome: "rai_filtered", polls_before_done: 0 });
    const name = (await submit("veo-3.0-fast-generate-001", { instances: [{ prompt: "x" }] })).body.name;
    const op = (await call("GET", `/gemini/v1beta/${name}`, { headers: key() })).body;
    assert.equal(op.done, true);
    assert.equal(op.response.generateVideoResponse.generatedSamples, undefined);
    assert.equal(op.response.generateVideoResponse.raiMediaFilteredCount, 1);
  });
});

describe("vertex", () => {
  const resource = "projects/p1/locations/us-central1/publishers/google/models/veo-3.0-generate-001";
  const headers = () => ({ Authorization: `Bearer ${keys.vertex}` });

  test("inline bytes without storageUri; a gs:// object with it", async () => {
    const a = await call("POST", `/vertex/v1/${resource}:predictLongRunning`, { headers: headers(), json: { instances: [{ prompt: "x" }], parameters: { seed: 5, generateAudio: true, durationSeconds: 8 } } });
    assert.equal(a.status, 200);
    await behave({ vendor: "vertex", polls_before_done: 0 });
    const b = await call("POST", `/vertex/v1/${resource}:predictLongRunning`, { headers: headers(), json: { instances: [{ prompt: "y" }], parameters: { storageUri: "gs://bucket/out/" } } });
    const fetchOp = (name) => call("POST", `/vertex/v1/${resource}:fetchPredictOperation`, { headers: headers(), json: { operationName: name } });
    await fetchOp(a.body.name);
    await fetchOp(a.body.name);
    const inline = (await fetchOp(a.body.name)).body;
    assert.deepEqual(Buffer.from(inline.response.videos[0].bytesBase64Encoded, "base64"), readFileSync(clip));
    const gcs = (await fetchOp(b.body.name)).body.response.videos[0].gcsUri;
    assert.match(gcs, /^gs:\/\/bucket\/out\/[0-9a-f-]+\/sample_0\.mp4$/);
    const object = encodeURIComponent(gcs.slice("gs://bucket/".length));
    assert.equal((await fetch(`${fake.base}/vertex/storage/v1/b/bucket/o/${object}?alt=media`)).status, 401);
    assert.deepEqual(await bytesOf(`${fake.base}/vertex/storage/v1/b/bucket/o/${object}?alt=media`, headers()), readFileSync(clip));
    assert.equal((await call("POST", `/vertex/v1/${resource}:predictLongRunning`, { json: { instances: [{ prompt: "x" }] } })).status, 401);
  });
});

// ---- Runway ----

describe("runway", () => {
  const headers = (version = "2024-11-06") => ({ Authorization: `Bearer ${keys.runway}`, ...(version ? { "X-Runway-Version": version } : {}) });

  test("text_to_video gen4.5 with a pixel ratio: THROTTLED, RUNNING, SUCCEEDED; every GET signs a fresh URL", async () => {
    await behave({ vendor: "runway", throttled: true, polls_before_done: 2, expired_url_first: true });
    const r = await call("POST", "/runway/v1/text_to_video", { headers: headers(), json: { model: "gen4.5", promptText: "a boat", ratio: "1280:720", duration: 5, seed: 3 } });
    assert.equal(r.status, 200);
    const get = async () => (await call("GET", `/runway/v1/tasks/${r.body.id}`, { headers: headers() })).body;
    assert.equal((await get()).status, "THROTTLED");
    assert.equal((await get()).status, "RUNNING");
    const first = await get();
    assert.equal(first.status, "SUCCEEDED");
    assert.equal((await fetch(first.output[0])).status, 403, "the first URL is already expired");
    const again = await get();
    assert.notEqual(again.output[0], first.output[0]);
    assert.deepEqual(await bytesOf(again.output[0]), readFileSync(clip));
  });

  test("refusals: no version header, 16:9 ratio, http image, IP host; FAILED with failureCode", async () => {
    const t2v = { model: "gen4.5", promptText: "a", ratio: "1280:720", duration: 5 };
    const noVersion = await call("POST", "/runway/v1/text_to_video", { headers: headers(null), json: t2v });
    assert.equal(noVersion.status, 400);
    assert.equal(typeof noVersion.body.error, "string");
    for (const b of [
      { ...t2v, ratio: "16:9" },
      { ...t2v, duration: 11 },
    ])
      assert.equal((await call("POST", "/runway/v1/text_to_video", { headers: headers(), json: b })).status, 400);
    const i2v = (img) => ({ model: "gen4_turbo", promptImage: img, ratio: "1280:720" });
    assert.equal((await call("POST", "/runway/v1/image_to_video", { headers: headers(), json: i2v("http://example.com/a.png") })).status, 400);
    assert.equal((await call("POST", "/runway/v1/image_to_video", { headers: headers(), json: i2v("https://10.0.0.1/a.png") })).status, 400);
    assert.equal((await call("POST", "/runway/v1/image_to_video", { headers: headers(), json: i2v([{ uri: PNG_DATA_URI, position: "first" }]) })).status, 200);
    await behave({ vendor: "runway", outcome: "fail", fail_kind: "moderation", polls_before_done: 0 });
    const id = (await call("POST", "/runway/v1/text_to_video", { headers: headers(), json: t2v })).body.id;
    const t = (await call("GET", `/runway/v1/tasks/${id}`, { headers: headers() })).body;
    assert.equal(t.status, "FAILED");
    assert.match(t.failureCode, /^SAFETY\./);
  });
});

// ---- MiniMax ----

describe("minimax", () => {
  const headers = () => ({ Authorization: `Bearer ${keys.minimax}` });

  test("create, query to Success with file_id, files/retrieve for the download URL", async () => {
    const r = await call("POST", "/minimax/v1/video_generation", { headers: headers(), json: { model: "MiniMax-Hailuo-2.3", prompt: "rain [Pan left]", duration: 6, resolution: "1080P" } });
    assert.equal(r.body.base_resp.status_code, 0);
    const q = async () => (await call("GET", `/minimax/v1/query/video_generation?task_id=${r.body.task_id}`, { headers: headers() })).body;
    assert.equal((await q()).status, "Queueing");
    assert.equal((await q()).status, "Processing");
    const done = await q();
    assert.equal(done.status, "Success");
    assert.deepEqual([done.video_width, done.video_height], [1920, 1080]);
    const file = (await call("GET", `/minimax/v1/files/retrieve?file_id=${done.file_id}`, { headers: headers() })).body;
    assert.deepEqual(await bytesOf(file.file.download_url), readFileSync(clip));
  });

  test("errors are HTTP 200 with base_resp: invalid params, bad key, Fail", async () => {
    const bad = await call("POST", "/minimax/v1/video_generation", { headers: headers(), json: { model: "MiniMax-Hailuo-2.3", prompt: "x", duration: 10, resolution: "1080P" } });
    assert.equal(bad.status, 200);
    assert.equal(bad.body.base_resp.status_code, 2013);
    const key = await call("POST", "/minimax/v1/video_generation", { headers: { Authorization: "Bearer nope" }, json: { model: "T2V-01", prompt: "x" } });
    assert.equal(key.status, 200);
    assert.notEqual(key.body.base_resp.status_code, 0);
    await behave({ vendor: "minimax", outcome: "fail", fail_kind: "moderation", polls_before_done: 0 });
    const id = (await call("POST", "/minimax/v1/video_generation", { headers: headers(), json: { model: "T2V-01", prompt: "x" } })).body.task_id;
    const f = (await call("GET", `/minimax/v1/query/video_generation?task_id=${id}`, { headers: headers() })).body;
    assert.equal(f.status, "Fail");
    assert.equal(f.base_resp.status_code, 1027);
  });
});

// ---- xAI ----

describe("xai", () => {
  const headers = () => ({ Authorization: `Bearer ${keys.xai}` });

  test("pending then done with video.url; failed inside HTTP 200; expired", async () => {
    const r = await call("POST", "/xai/v1/videos/generations", { headers: headers(), json: { model: "grok-imagine-video", prompt: "a comet", duration: 6, aspect_ratio: "16:9", resolution: "720p", image: { url: PNG_DATA_URI } } });
    assert.equal(r.status, 200);
    const get = async (id) => call("GET", `/xai/v1/videos/${id}`, { headers: headers() });
    assert.equal((await get(r.body.request_id)).body.status, "pending");
    await get(r.body.request_id);
    const done = (await get(r.body.request_id)).body;
    assert.equal(done.status, "done");
    assert.equal(done.video.duration, 6);
    assert.deepEqual(await bytesOf(done.video.url), readFileSync(clip));
    await behave({ vendor: "xai", outcome: "fail", polls_before_done: 0 });
    await behave({ vendor: "xai", outcome: "expire", polls_before_done: 0 });
    const a = (await call("POST", "/xai/v1/videos/generations", { headers: headers(), json: { prompt: "x" } })).body.request_id;
    const b = (await call("POST", "/xai/v1/videos/generations", { headers: headers(), json: { prompt: "x" } })).body.request_id;
    const fa = await get(a);
    assert.equal(fa.status, 200);
    assert.equal(fa.body.status, "failed");
    assert.equal(fa.body.error.code, "internal_error");
    assert.equal((await get(b)).body.status, "expired");
    assert.equal((await call("POST", "/xai/v1/videos/generations", { headers: headers(), json: { prompt: "x", duration: 16 } })).status, 400);
  });
});

// ---- fal ----

describe("fal", () => {
  const headers = () => ({ Authorization: `Key ${keys.fal}` });
  const endpoint = "fal-ai/kling-video/v2.5-turbo/pro/image-to-video";

  test("submit with a subpath; status and result URLs drop it", async () => {
    const r = await call("POST", `/fal/${endpoint}`, { headers: headers(), json: { prompt: "a cat", image_url: PNG_DATA_URI, duration: "5" } });
    assert.equal(r.status, 200);
    assert.equal(r.body.status_url, `${fake.base}/fal/fal-ai/kling-video/requests/${r.body.request_id}/status`);
    assert.equal(r.body.response_url, `${fake.base}/fal/fal-ai/kling-video/requests/${r.body.request_id}`);
    assert.equal((await call("GET", `/fal/${endpoint}/requests/${r.body.request_id}/status`, { headers: headers() })).status, 404, "a status URL with the subpath is no fal route");
    const s1 = await call("GET", r.body.status_url, { headers: headers() });
    assert.equal(s1.status, 202);
    assert.equal(s1.body.status, "IN_QUEUE");
    assert.equal(typeof s1.body.queue_position, "number");
    const s2 = await call("GET", `${r.body.status_url}?logs=1`, { headers: headers() });
    assert.equal(s2.body.status, "IN_PROGRESS");
    assert.ok(Array.isArray(s2.body.logs));
    assert.equal((await call("GET", r.body.status_url, { headers: headers() })).body.status, "COMPLETED");
    const result = (await call("GET", r.body.response_url, { headers: headers() })).body;
    assert.deepEqual(await bytesOf(result.video.url), readFileSync(clip));
  });

  test("422 detail[] on bad input; a failed request is COMPLETED with the error in the result", async () => {
    const bad = await call("POST", `/fal/${endpoint}`, { headers: headers(), json: { prompt: "x" } });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.detail[0].loc, ["body", "image_url"]);
    assert.equal((await call("POST", `/fal/${endpoint}`, { headers: { Authorization: `Bearer ${keys.fal}` }, json: { prompt: "x" } })).status, 401);
    await behave({ vendor: "fal", outcome: "fail", polls_before_done: 0 });
    const r = (await call("POST", "/fal/fal-ai/veo3", { headers: headers(), json: { prompt: "x" } })).body;
    const s = (await call("GET", r.status_url, { headers: headers() })).body;
    assert.equal(s.status, "COMPLETED");
    assert.equal(typeof s.error, "string");
    const res = await call("GET", r.response_url, { headers: headers() });
    assert.equal(res.status, 500);
    assert.equal(res.headers.get("x-fal-error-type"), "runner_disconnected");
  });
});

// ---- Replicate ----

describe("replicate", () => {
  test("201 starting, processing, succeeded with an output URL; Token auth works too", async () => {
    const r = await call("POST", "/replicate/v1/models/minimax/hailuo-2.3/predictions", { headers: { Authorization: `Token ${keys.replicate}`, Prefer: "wait" }, json: { input: { prompt: "a lake", duration: 6 } } });
    assert.equal(r.status, 201);
    assert.equal(r.body.status, "starting");
    assert.equal(r.body.model, "minimax/hailuo-2.3");
    const get = async () => (await call("GET", r.body.urls.get, { headers: { Authorization: `Bearer ${keys.replicate}` } })).body;
    assert.equal((await get()).status, "starting");
    assert.equal((await get()).status, "processing");
    const done = await get();
    assert.equal(done.status, "succeeded");
    assert.deepEqual(await bytesOf(done.output), readFileSync(clip));
    await control("POST", "/clock", { advance_seconds: 3601 });
    const later = await get();
    assert.equal(later.output, null);
    assert.equal(later.data_removed, true);
    assert.equal((await fetch(done.output)).status, 404);
  });

  test("422 problem details without input.prompt; aborted", async () => {
    const bad = await call("POST", "/replicate/v1/models/a/b/predictions", { headers: { Authorization: `Bearer ${keys.replicate}` }, json: { input: {} } });
    assert.equal(bad.status, 422);
    assert.match(bad.headers.get("content-type"), /application\/problem\+json/);
    await behave({ vendor: "replicate", outcome: "abort", polls_before_done: 0 });
    const id = (await call("POST", "/replicate/v1/models/a/b/predictions", { headers: { Authorization: `Bearer ${keys.replicate}` }, json: { input: { prompt: "x" } } })).body.id;
    assert.equal((await call("GET", `/replicate/v1/predictions/${id}`, { headers: { Authorization: `Bearer ${keys.replicate}` } })).body.status, "aborted");
  });
});

// ---- faults on poll and download ----

describe("faults", () => {
  const xai = () => ({ Authorization: `Bearer ${keys.xai}` });
  async function doneUrl(spec) {
    await behave({ vendor: "xai", polls_before_done: 0, ...spec });
    const id = (await call("POST", "/xai/v1/videos/generations", { headers: xai(), json: { prompt: "fault" } })).body.request_id;
    return (await call("GET", `/xai/v1/videos/${id}`, { headers: xai() })).body;
  }

  test("poll 5xx twice, then the answer; an unknown status value", async () => {
    await behave({ vendor: "xai", polls_before_done: 0, poll_5xx: 2, status_5xx: 502 });
    const id = (await call("POST", "/xai/v1/videos/generations", { headers: xai(), json: { prompt: "x" } })).body.request_id;
    assert.equal((await call("GET", `/xai/v1/videos/${id}`, { headers: xai() })).status, 502);
    assert.equal((await call("GET", `/xai/v1/videos/${id}`, { headers: xai() })).status, 502);
    assert.equal((await call("GET", `/xai/v1/videos/${id}`, { headers: xai() })).body.status, "done");
    assert.equal((await doneUrl({ outcome: "unknown_status", status_value: "paused" })).status, "paused");
  });

  test("truncated body, not a video, redirect chain, huge stream, another media file", async () => {
    const truncated = (await doneUrl({ truncate: true })).video.url;
    const res = await fetch(truncated);
    assert.equal(Number(res.headers.get("content-length")), readFileSync(clip).length);
    await assert.rejects(res.arrayBuffer());

    const html = await fetch((await doneUrl({ not_video: "html" })).video.url);
    assert.match(html.headers.get("content-type"), /text\/html/);

    let url = (await doneUrl({ redirects: 3 })).video.url;
    let hops = 0;
    for (;;) {
      const r = await fetch(url, { redirect: "manual" });
      if (r.status !== 302) break;
      hops++;
      url = r.headers.get("location");
    }
    assert.equal(hops, 3);
    assert.deepEqual(await bytesOf(url), readFileSync(clip));

    const huge = await fetch((await doneUrl({ huge_bytes: 8 * 1024 * 1024 })).video.url);
    assert.equal(Number(huge.headers.get("content-length")), 8 * 1024 * 1024);
    assert.equal((await huge.arrayBuffer()).byteLength, 8 * 1024 * 1024);

    assert.deepEqual(await bytesOf((await doneUrl({ media: "wrong.mp4" })).video.url), readFileSync(path.join(dir, "wrong.mp4")));
  });

  test("download 5xx once; result URLs at private and link-local addresses", async () => {
    const url = (await doneUrl({ download_5xx: 1 })).video.url;
    assert.equal((await fetch(url)).status, 503);
    assert.equal((await fetch(url)).status, 200);
    assert.equal((await doneUrl({ result_url: "private" })).video.url, "http://10.255.255.1/x.mp4");
    assert.equal((await doneUrl({ result_url: "metadata" })).video.url, "http://169.254.169.254/latest/meta-data/");
    assert.match((await doneUrl({ result_url: "ipv6-loopback" })).video.url, /^http:\/\/\[::1\]:\d+\/files\//);
  });

  test("a bad behaviour request is refused", async () => {
    assert.equal((await control("POST", "/behaviour", { vendor: "xai", outcome: "explode" })).status, 400);
    assert.equal((await control("POST", "/behaviour", { vendor: "nobody" })).status, 400);
    assert.equal((await control("POST", "/behaviour", { vendor: "xai", polls: 3 })).status, 400);
  });
});

// ---- process lifecycle ----

describe("lifecycle", () => {
  test("tasks survive kill -9 and a restart with --state", async () => {
    const state = path.join(dir, "state.json");
    const first = await startFake(["--media", dir, "--state", state]);
    const headers = { Authorization: `Bearer ${keys.runway}`, "X-Runway-Version": "2024-11-06" };
    const r = await fetch(`${first.base}/runway/v1/text_to_video`, { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify({ model: "veo3.1", promptText: "x", ratio: "1280:720", duration: 8 }) });
    const { id } = await r.json();
    await stopFake(first, "SIGKILL");
    const second = await startFake(["--media", dir, "--state", state]);
    try {
      const t = await (await fetch(`${second.base}/runway/v1/tasks/${id}`, { headers })).json();
      assert.equal(t.status, "PENDING");
      const subs = await (await fetch(`${second.base}/_control/submissions`)).json();
      assert.equal(subs.by_vendor.runway, 1);
    } finally {
      await stopFake(second);
    }
  });

  test("exits when stdin closes", async () => {
    const f = await startFake(["--media", dir]);
    const exited = new Promise((resolve) => f.child.once("exit", resolve));
    f.child.stdin.end();
    assert.equal(await exited, 0);
  });
});
