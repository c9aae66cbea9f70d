// Builds the front end into a folder the server serves:
//   node build.mjs [--outdir DIR]        (default: dist)
// index.html, assets/app-HASH.js + app-HASH.css, and on-demand chunks for each page. Every
// file under assets/ has a content hash in its name (the server lets browsers keep them for a
// year); index.html, always revalidated, names the current ones. The
// methodology page is docs/rating-method.md rendered to HTML here, so the browser never
// parses markdown.
import { build } from "esbuild";
import { marked } from "marked";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outIndex = args.indexOf("--outdir");
const outdir = path.resolve(outIndex >= 0 ? args[outIndex + 1] : path.join(here, "dist"));
const methodologyFile = path.join(here, "..", "docs", "rating-method.md");

async function methodologyHtml() {
  let markdown;
  try {
    markdown = await readFile(methodologyFile, "utf8");
  } catch {
    markdown = "# Methodology\n\nThe rating method has not been written up yet (docs/rating-method.md).\n";
  }
  // Links between docs point at .md files that are not served; send them to the
  // methodology page itself or drop them to plain text.
  const renderer = new marked.Renderer();
  const link = renderer.link.bind(renderer);
  renderer.link = (token) => (/^(https?:)?\/\//.test(token.href) || token.href.startsWith("#") ? link(token) : renderer.parser.parseInline(token.tokens));
  return marked.parse(markdown, { renderer, gfm: true, async: false });
}

const methodologyPlugin = {
  name: "methodology",
  setup(b) {
    b.onResolve({ filter: /^virtual:methodology$/ }, () => ({ path: "methodology", namespace: "virtual", watchFiles: [methodologyFile] }));
    b.onLoad({ filter: /.*/, namespace: "virtual" }, async () => ({ contents: `export default ${JSON.stringify(await methodologyHtml())};`, loader: "js" }));
  },
};

await rm(path.join(outdir, "assets"), { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
const result = await build({
  entryPoints: { app: path.join(here, "src", "main.ts") },
  outdir: path.join(outdir, "assets"),
  bundle: true,
  splitting: true,
  format: "esm",
  minify: true,
  target: ["es2020", "chrome100", "firefox100", "safari15"],
  chunkNames: "[name]-[hash]",
  entryNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  legalComments: "linked",
  metafile: true,
  logLevel: "warning",
  plugins: [methodologyPlugin],
});
// The entry script and its stylesheet, as index.html must name them.
const entry = Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint);
if (!entry) throw new Error("esbuild produced no entry script");
const [script, { cssBundle }] = entry;
const url = (file) => "/" + path.relative(outdir, path.resolve(file)).split(path.sep).join("/");
let html = await readFile(path.join(here, "public", "index.html"), "utf8");
html = html.replace("/assets/app.js", url(script)).replace("/assets/app.css", url(cssBundle));
await writeFile(path.join(outdir, "index.html"), html);

// Gzip'd copies beside the scripts and stylesheets, for a server that sends them to
// browsers that accept gzip (a phone downloads about a third of the bytes).
for (const name of await readdir(path.join(outdir, "assets"))) {
  if (!/\.(js|css)$/.test(name)) continue;
  const file = path.join(outdir, "assets", name);
  await writeFile(`${file}.gz`, gzipSync(await readFile(file), { level: 9 }));
}
console.log(`web: built into ${outdir}`);
