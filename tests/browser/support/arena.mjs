// A real arena for the browser tests: clips made by the ffmpeg CLI, loaded with
// `paddock import` into a temporary SQLite database, served by `paddock serve` on a free
// port of 127.0.0.1. Nothing here imitates paddock; it only drives it.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const PADDOCK = process.env.PADDOCK_BIN;
export const WEB_ROOT = process.env.PADDOCK_WEB_ROOT;
export const FPS = 24;
export const CLIP_SECONDS = 4;

// Names chosen so a leak is easy to find: no page text or token could contain them by chance.
// One name and one prompt carry HTML, which must show as text.
export const CATALOG = {
  tracks: [
    { id: "sound-portrait", name: "Portrait with sound", task: "text-to-video", audio: true, duration_s: CLIP_SECONDS, aspect: "9:16", width: 360, height: 640 },
    { id: "silent-wide", name: "Wide, silent", task: "text-to-video", audio: false, duration_s: CLIP_SECONDS, aspect: "16:9", width: 640, height: 360 },
    { id: "still-to-motion", name: "Image to video", task: "image-to-video", audio: false, duration_s: CLIP_SECONDS, aspect: "1:1", width: 320, height: 320 },
    { id: "empty-track", name: "Nothing here yet", task: "text-to-video", audio: false, duration_s: 5, aspect: "16:9", width: 1280, height: 720 },
  ],
  // tracks: which tracks the model has clips in.
  models: [
    { id: "zebrafinch", display_name: "Zebrafinch Video 3", organization: "Quokka Labs", status: "public", tracks: ["sound-portrait", "still-to-motion"] },
    // Its silent-wide clip is made by `paddock generate` (the placeholder provider, with a
    // price), so that board has a point on its quality-against-price and -time charts.
    { id: "marmot", display_name: "Marmot-XL", organization: "Ocelot Inc", status: "public", tracks: ["sound-portrait", "silent-wide", "still-to-motion"], generated: ["silent-wide"] },
    { id: "tapir", display_name: "<i>Tapir</i> <img src=x>", organization: "Pangolin & <b>Co</b>", status: "public", tracks: ["sound-portrait", "silent-wide"] },
    { id: "narwhal", display_name: "Narwhal Ultra", organization: "Axolotl AI", status: "anonymous", codename: "Wombat-1.0", tracks: ["sound-portrait"] },
  ],
  prompts: [
    { track: "sound-portrait", id: "p1", text: "A <b>heron</b> <script>window.pwned=1</script> lands on a pier", categories: ["animals", "motion"] },
    { track: "sound-portrait", id: "p2", text: "Rain on a <em>tin</em> roof & night", categories: ["landscape"] },
    { track: "silent-wide", id: "w1", text: "A <u>kite</u> over dunes", categories: ["landscape"] },
    { track: "still-to-motion", id: "s1", text: "The test card starts to move", categories: ["motion"], source: "still.png" },
  ],
};

// Words that would identify a model (ids, names, organizations, codenames): none may reach
// the page before the vote. Each is distinctive enough not to occur by chance.
export const IDENTITY_WORDS = ["zebrafinch", "quokka", "marmot", "ocelot", "tapir", "pangolin", "narwhal", "axolotl", "wombat"];

// What the reveal may show for a model: its name, or its codename while anonymous.
export function revealedName(model) {
  return model.status === "anonymous" ? model.codename : model.display_name;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function ffmpeg(args) {
  execFileSync("ffmpeg", ["-v", "error", "-y", ...args], { stdio: ["ignore", "ignore", "inherit"] });
}

// A test-pattern clip; each model gets its own tone so the sound switch is audible. The
// model's name and organization are written into the container's metadata on purpose:
// import must strip them, and the tests look for them in everything the page receives.
function makeClip(file, { width, height, audio, tone, model }) {
  const args = ["-f", "lavfi", "-i", `testsrc2=size=${width}x${height}:rate=${FPS}:duration=${CLIP_SECONDS}`];
  if (audio) args.push("-f", "lavfi", "-i", `sine=frequency=${tone}:duration=${CLIP_SECONDS}`);
  args.push("-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", String(FPS));
  if (audio) args.push("-c:a", "aac", "-shortest");
  args.push("-metadata", `title=${model.display_name}`, "-metadata", `comment=${model.organization} ${model.id}`, "-metadata", `artist=${model.codename ?? model.id}`);
  args.push("-movflags", "+faststart", file);
  ffmpeg(args);
}

export class Arena {
  constructor() {
    this.dir = mkdtempSync(path.join(os.tmpdir(), "paddock-browser-"));
    this.db = path.join(this.dir, "arena.db");
    this.media = path.join(this.dir, "media");
    this.servers = [];
  }

  // Writes clips and the import manifest, then runs `paddock import`.
  load() {
    const clips = path.join(this.dir, "clips");
    mkdirSync(clips, { recursive: true });
    ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x320:rate=1", "-frames:v", "1", path.join(this.dir, "still.png")]);
    const entries = [];
    CATALOG.models.forEach((model, index) => {
      for (const prompt of CATALOG.prompts) {
        if (!model.tracks.includes(prompt.track)) continue;
        if (model.generated?.includes(prompt.track)) continue;
        const track = CATALOG.tracks.find((t) => t.id === prompt.track);
        // The model's name is in the file name on purpose: nothing of it may reach voters.
        const file = path.join(clips, `${model.id}-${track.id}-${prompt.id}.mp4`);
        makeClip(file, { width: track.width, height: track.height, audio: track.audio, tone: 330 + index * 110, model });
        entries.push({ track: track.id, prompt: prompt.id, model: model.id, file });
      }
    });
    const manifest = path.join(this.dir, "catalog.jsonl");
    writeFileSync(manifest, importManifest(entries));
    this.run(["import", "--db", this.db, "--media", this.media, manifest]);
    const config = path.join(this.dir, "generate.toml");
    writeFileSync(config, '[providers.local]\nprotocol = "placeholder"\n[providers.local.prices.placeholder]\nper_clip = 0.25\ncurrency = "USD"\n');
    for (const model of CATALOG.models) {
      for (const track of model.generated ?? []) {
        this.run(["generate", "--db", this.db, "--media", this.media, "--config", config, "--track", track, "--models", model.id, "--all"]);
      }
    }
  }

  run(args) {
    return execFileSync(PADDOCK, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  }

  // Starts one more `paddock serve` on this arena's database, with extra flags.
  async serve(extraArgs = []) {
    const server = new Server();
    this.servers.push(server);
    // No minimum watch time: the pages' own unlock rule is what these tests look at (the
    // server's minimum is tested in tests/http/hardening_test.cpp).
    await server.start(["serve", "--db", this.db, "--media", this.media, "--web-root", WEB_ROOT,
                        "--min-watch-fraction", "0", ...extraArgs]);
    return server;
  }

  async stop() {
    await Promise.all(this.servers.map((s) => s.stop()));
    this.servers = [];
  }

  remove() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

class Server {
  constructor() {
    this.process = null;
    this.output = "";
    this.url = "";
  }

  async start(args) {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.process = spawn(PADDOCK, [...args, "--listen", `127.0.0.1:${port}`], { stdio: ["ignore", "pipe", "pipe"] });
    this.process.stdout.on("data", (d) => (this.output += d));
    this.process.stderr.on("data", (d) => (this.output += d));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) throw new Error(`paddock serve exited with ${this.process.exitCode}:\n${this.output}`);
      try {
        const response = await fetch(`${this.url}/healthz`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`paddock serve did not answer /healthz within 20 s:\n${this.output}`);
  }

  async stop() {
    const child = this.process;
    this.process = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

// The catalog as an import manifest: JSON Lines, one record per line (docs/import-format.md).
function importManifest(clips) {
  const records = [
    ...CATALOG.tracks.map((track) => ({ kind: "track", ...track })),
    ...CATALOG.models.map(({ tracks, generated, ...model }) =>
      generated ? { kind: "model", ...model, generation: { provider: "local", model: { "text-to-video": "placeholder" } } } : { kind: "model", ...model },
    ),
    ...CATALOG.prompts.map((prompt) => ({ kind: "prompt", language: "en", ...prompt })),
    ...clips.map((clip) => ({ kind: "clip", ...clip })),
  ];
  return records.map((record) => JSON.stringify(record)).join("\n") + "\n";
}
