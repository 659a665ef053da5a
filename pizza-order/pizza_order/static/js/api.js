// Talks to pizza-order's /api (same origin) and turns its JSON errors into readable text.

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : `HTTP ${status}`);
    this.status = status;
    this.problems = (body && body.problems) || [];
  }
}

export async function call(method, path, body) {
  const init = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, { error: "the shop cannot be reached: check your connection and try again" });
  }
  const data = await resp.json().catch(() => ({ error: `HTTP ${resp.status} ${resp.statusText}` }));
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

export const api = {
  menu: () => call("GET", "/api/menu"),
  journey: () => call("GET", "/api/journey"),
  // One page of orders: {status: [...], cursor} narrow it; the answer's `next` is the following page.
  orders: ({ status = [], cursor = null } = {}) => {
    const query = new URLSearchParams(status.map((s) => ["status", s]));
    if (cursor) query.set("cursor", cursor);
    return call("GET", `/api/orders?${query}`);
  },
  history: (id) => call("GET", `/order/${encodeURIComponent(id)}`),
  place: (order) => call("POST", "/api/orders", order),
  act: (id, action, body = {}) => call("POST", `/api/orders/${encodeURIComponent(id)}/${action}`, body),
};

// Builds an element: el("li", {class: "x", "data-id": 1}, "text", child, ...).
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
}

// "cooking_making_dough" -> "Making dough": the status as a person reads it.
export function label(status) {
  const text = String(status || "").replace(/^(cooking|delivery)_/, "").replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function money(cents, currency) {
  return cents === undefined || cents === null ? "" : `${(cents / 100).toFixed(2)} ${currency || ""}`.trim();
}

let noticeTimer;
export function notify(text, kind = "info") {
  const box = document.getElementById("notice");
  box.textContent = text;
  box.dataset.kind = kind;
  box.classList.add("shown");
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => box.classList.remove("shown"), 6000);
}
