// Live trackers: one card per order, updated from the status events the page's stream delivers.
import { ApiError, api, el, label } from "./api.js";

const SAVED = "pizza.trackedOrders";
// The Zipkin that scripts/controlplane.sh starts beside the shop (ZIPKIN_URL in pizza_common/names.py).
const TRACES = `${location.protocol}//${location.hostname}:9411/zipkin/traces/`;
const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });

export class Trackers {
  constructor(root, empty, journey) {
    this.root = root;
    this.empty = empty;
    this.steps = journey.steps.map((s) => s.status);
    this.ends = new Set(journey.ends);
    this.delivered = journey.delivered;
    this.orders = new Map();
  }

  restore() {
    for (const id of JSON.parse(localStorage.getItem(SAVED) || "[]")) this.track(id);
  }

  save() {
    localStorage.setItem(SAVED, JSON.stringify([...this.orders.keys()]));
  }

  // Starts tracking an order (or finds its card) and loads the history it has so far.
  track(id, summary = "") {
    if (!this.orders.has(id)) {
      this.orders.set(id, this.card(id, summary));
      this.save();
      this.empty.hidden = true;
    }
    this.resync(id);
    return this.orders.get(id);
  }

  untrack(id) {
    const t = this.orders.get(id);
    if (!t) return;
    t.node.remove();
    this.orders.delete(id);
    this.save();
    this.empty.hidden = this.orders.size > 0;
  }

  // Catches up with what the stream did not bring: before tracking began, or while reconnecting.
  async resync(id) {
    try {
      const record = await api.history(id);
      const t = this.orders.get(id);
      if (t && !t.summary.textContent) t.summary.textContent = describe(record);
      for (const h of record.history) this.add({ order_id: id, ...h });
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) console.warn(`order ${id}:`, err.message);
    }
  }

  resyncAll() {
    for (const id of this.orders.keys()) this.resync(id);
  }

  // Takes one status event; returns whether it was new to a tracked order.
  add(event) {
    const t = this.orders.get(event.order_id);
    if (!t || t.events.has(event.event_id)) return false;
    t.events.set(event.event_id, { ...event, shownAt: Date.now() });
    this.render(t);
    return true;
  }

  card(id, summary) {
    const heading = `t-${id}-h`;
    const t = { events: new Map() };
    t.summary = el("p", { class: "summary" }, summary);
    t.progress = el("progress", { max: this.steps.length, value: 0, "aria-label": `Progress of order ${id}` });
    t.now = el("p", { class: "now", "aria-live": "polite", "aria-atomic": "true" }, "Waiting for the first update…");
    t.stepList = el("ol", { class: "steps", "aria-label": "Stages" },
      ...this.steps.map((s) => el("li", { "data-status": s }, label(s))));
    t.log = el("ol", { class: "log" });
    t.trace = el("a", { class: "trace", target: "_blank", rel: "noopener", hidden: "" }, "Its trace in Zipkin");
    t.node = el("article", { class: "tracker", "data-order-id": id, "aria-labelledby": heading },
      el("div", { class: "tracker-head" },
        el("h3", { id: heading }, `Order ${id}`),
        el("button", { type: "button", class: "quiet", "aria-label": `Stop tracking order ${id}`,
          onclick: () => this.untrack(id) }, "Stop tracking")),
      t.summary, t.progress, t.now, t.stepList, t.trace,
      el("details", {}, el("summary", {}, "Every update"), t.log));
    this.root.prepend(t.node);
    return t;
  }

  render(t) {
    const events = [...t.events.values()].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
    // As pizza-order merges them: an order that ended stays ended, whatever reports late.
    const ended = events.filter((e) => this.ends.has(e.status));
    const latest = ended.length ? ended[ended.length - 1] : events[events.length - 1];
    let at = -1;
    for (const e of events) at = this.steps.includes(e.status) ? this.steps.indexOf(e.status) : at;
    t.stepList.querySelectorAll("li").forEach((li, i) => {
      li.className = i < at ? "done" : i === at ? "current" : "";
      if (i === at) li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
    });
    t.progress.value = latest.status === this.delivered ? this.steps.length : at + 1;
    t.now.textContent = `${label(latest.status)}: ${latest.message || ""}${latest.error ? ` (${latest.error})` : ""}`;
    t.now.dataset.status = latest.status;
    t.node.dataset.status = latest.status;
    t.node.classList.toggle("ended", ended.length > 0);
    // The order's trace: the one its first traced status was reported in.
    const traced = events.find((e) => e.trace_id);
    t.trace.hidden = !traced;
    if (traced) t.trace.href = TRACES + traced.trace_id;
    t.log.replaceChildren(...events.map((e) => el("li", {
      "data-status": e.status, "data-event-id": e.event_id, "data-shown-at": e.shownAt,
    }, el("time", { datetime: e.timestamp }, time(e.timestamp)), ` ${label(e.status)}`,
    e.message ? ` — ${e.message}` : "")));
  }
}

export function describe(order) {
  const who = order.customer ? ` for ${order.customer.name}` : "";
  return `${order.quantity || 1} × ${order.size} ${order.pizza_type}${who}`;
}
