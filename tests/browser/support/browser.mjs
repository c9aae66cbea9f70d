// Debian's Chromium driven by playwright-core: a fresh profile per launch, and a record of
// every network exchange so tests can look at what the page was sent.
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.PADDOCK_CHROMIUM ?? "/usr/bin/chromium";

const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

// Starts Chromium. playwright gives it a fresh temporary profile (--user-data-dir) and
// removes it on close; each test then opens its own context (own cookies, so its own
// paddock session).
export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true /* adds --headless */, args: ARGS });
}

export async function openPage(browser, { viewport = { width: 1366, height: 768 }, colorScheme = "light" } = {}) {
  const context = await browser.newContext({ viewport, colorScheme, acceptDownloads: true });
  const page = await context.newPage();
  const log = new NetworkLog(page);
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    // Chromium logs every non-2xx answer; those are expected where a test provokes one.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(`console error: ${message.text()}`);
  });
  return { context, page, log, problems, close: () => context.close() };
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
        // Bytes of the body as sent over the wire (compressed, when the server compressed it).
        response
          .request()
          .sizes()
          .then((sizes) => (entry.wireBytes = sizes.responseBodySize))
          .catch(() => (entry.wireBytes = 0)),
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
