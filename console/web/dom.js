// Small DOM helpers: elements are built with text nodes, never from HTML
// strings (the one exception is the report, which Basalt renders and escapes).

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c !== undefined && c !== null) e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

export const $ = (selector) => document.querySelector(selector);

let statusTimer;
let carry = false;  // the status was set for the view being navigated to

// The status line (role=status, announced by screen readers). `forNextView`:
// it reports what led to the navigation that follows, so that stays.
export function status(text, failed = false, forNextView = false) {
  carry = forNextView;
  const s = $("#status");
  s.textContent = text;
  s.classList.toggle("failed", failed);
  clearTimeout(statusTimer);
  if (!failed && text) statusTimer = setTimeout(() => { s.textContent = ""; }, 6000);
}

// A typed value in one line: {"S": "x"} -> "x", {"N": "1"} -> 1, sets and
// documents as compact JSON.
export function show(v) {
  if (!v) return "";
  const [t, x] = Object.entries(v)[0];
  if (t === "S") return x;
  if (t === "N") return x;
  if (t === "BOOL" || t === "NULL") return String(x);
  return `${t} ${JSON.stringify(x)}`;
}

// Items as a table: key attributes first, then the others by name.
// `actions(item)` gives the buttons of a row (or nothing).
export function itemsTable(items, keyNames = [], actions = null, caption = "Items") {
  const others = new Set();
  for (const it of items) for (const k of Object.keys(it)) if (!keyNames.includes(k)) others.add(k);
  const columns = [...keyNames, ...[...others].sort()];
  const head = el("tr", {}, columns.map((c) => el("th", { scope: "col", text: c })),
    actions ? el("th", { scope: "col", text: "Actions" }) : null);
  const rows = items.map((it) => el("tr", {}, columns.map((c) => el("td", {}, el("code", { text: show(it[c]) }))),
    actions ? el("td", {}, actions(it)) : null));
  return el("div", { class: "scroll" },
    el("table", { class: "grid" }, el("caption", { class: "visually-hidden", text: caption }),
      el("thead", {}, head), el("tbody", {}, rows)));
}

// On navigation: the last view's status goes, unless it was set for this one.
export function newView() {
  if (!carry) status("");
  carry = false;
}
