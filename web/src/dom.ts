// Element construction that can only ever produce text from data: strings become text
// nodes, attributes are set one by one, and nothing is parsed as markup. Server-provided
// text (prompts, model names) goes through here, so HTML in it shows as text.

type Child = Node | string | number | null | undefined | false;
type Handler = (event: Event) => void;

export interface Props {
  class?: string;
  // Attribute values; `true` sets an empty attribute, false/undefined leaves it out.
  attrs?: Record<string, string | number | boolean | undefined>;
  on?: Record<string, Handler>;
}

const FORBIDDEN_ATTRIBUTE = /^(on|style$|srcdoc$)/i;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props?.class) element.className = props.class;
  for (const [name, value] of Object.entries(props?.attrs ?? {})) {
    // Inline handlers and styles would break the page's CSP anyway; refuse them loudly.
    if (FORBIDDEN_ATTRIBUTE.test(name)) throw new Error(`attribute ${name} is not allowed`);
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const [type, handler] of Object.entries(props?.on ?? {})) {
    element.addEventListener(type, handler);
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

export function clear(element: Element): void {
  element.replaceChildren();
}

// A unique id for label/for and aria pairs.
let nextId = 0;
export function uid(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`page is missing #${id}`);
  return element as T;
}

// Announces a message to screen readers through the page's polite live region.
export function announce(message: string): void {
  const region = document.getElementById("announcer");
  if (region) region.textContent = message;
}
