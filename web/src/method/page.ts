// The methodology page: docs/rating-method.md, turned into HTML when the front end is
// built (build.mjs). It is the project's own document, not server data, so it is the one
// place markup is inserted as markup.
import methodology from "virtual:methodology";
import { h } from "../dom";

export function mount(main: HTMLElement): void {
  const article = h("article", { class: "methodology prose" });
  article.innerHTML = methodology;
  main.append(article);
}
