// Entry point of every page: the demo banner, the current page in the navigation, and the
// page's own module, loaded on demand so the vote page never downloads the chart library.
import "./app.css";
import { getConfig } from "./api";
import { h } from "./dom";

type Route = "vote" | "leaderboard" | "methodology" | "not_found";

function routeOf(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/" || path === "/vote" || path === "/index.html") return "vote";
  if (path === "/leaderboard") return "leaderboard";
  if (path === "/methodology") return "methodology";
  return "not_found";
}

function markCurrentPage(route: Route): void {
  for (const link of document.querySelectorAll<HTMLAnchorElement>("nav a[data-route]")) {
    if (link.dataset.route === route) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

// The banner is in the page from the start, hidden; the server's configuration says whether
// this arena holds demo data. body[data-demo] records the answer once it is known.
async function showDemoBanner(): Promise<void> {
  try {
    const config = await getConfig();
    const banner = document.getElementById("demo-banner");
    if (banner) banner.hidden = !config.demo;
    document.body.dataset.demo = String(config.demo);
  } catch {
    // The page itself reports an unreachable server; the banner just stays hidden.
  }
}

async function start(): Promise<void> {
  const main = document.getElementById("main");
  if (!main) return;
  // A polite live region for status messages read out by screen readers.
  document.body.append(h("div", { class: "visually-hidden", attrs: { id: "announcer", "aria-live": "polite" } }));
  const route = routeOf(location.pathname);
  markCurrentPage(route);
  void showDemoBanner();
  main.replaceChildren();
  switch (route) {
    case "vote":
      document.title = "Vote · paddock";
      (await import("./vote/page")).mount(main);
      break;
    case "leaderboard":
      document.title = "Leaderboard · paddock";
      (await import("./board/page")).mount(main);
      break;
    case "methodology":
      document.title = "Methodology · paddock";
      (await import("./method/page")).mount(main);
      break;
    case "not_found":
      document.title = "Not found · paddock";
      main.append(
        h("h1", null, "Page not found"),
        h("p", null, "There is no page at this address. ", h("a", { attrs: { href: "/" } }, "Go to voting"), "."),
      );
      break;
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => void start());
else void start();
