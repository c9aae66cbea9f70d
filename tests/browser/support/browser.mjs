// Debian's Chromium driven by playwright-core: a fresh profile per launch, and a record of
// every network exchange so tests can look at what the page was sent.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const CHROMIUM = process.env.PADDOCK_CHROMIUM ?? "/usr/bin/chromium";

const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

// Opens a browser with its own empty profile (playwright passes it as --user-data-dir).
export async function openBrowser({ viewport = { width: 1366, height: 768 }, colorScheme = "light" } = {}) {
  const profile = mkdtempSync(path.join(os.tmpdir(), "paddock-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true, // playwright adds --headless
    args: ARGS,
    viewport,
    colorScheme,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const log = new NetworkLog(page);
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  return {
    context,
    page,
    log,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Every response the page received, with its body as text (media bodies as bytes read
// as latin1, so a name hidden inside a clip would still be found).
export class NetworkLog {
  constructor(page) {
    this.entries = [];
    this.pending = [];
    page.on("response", (response) => {
      const entry = {
        url: response.url(),
        status: response.status(),
        method: response.request().method(),
        headers: JSON.stringify(response.headers()),
        body: null,
      };
      this.entries.push(entry);
      this.pending.push(
        response
          .body()
          .then((buffer) => (entry.body = buffer.toString("latin1")))
          .catch(() => (entry.body = "")),
      );
    });
  }

  // Waits until the bodies of everything received so far are read.
  async settle() {
    while (this.pending.length) {
      const batch = this.pending.splice(0);
      await Promise.all(batch);
    }
  }

  mark() {
    return this.entries.length;
  }

  since(mark) {
    return this.entries.slice(mark);
  }
}
