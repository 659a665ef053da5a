// The staff views: the kitchen's quality check, the manager's approvals and the orders list.
import { api, el, label, money, notify, who } from "./api.js";
import { describe } from "./tracker.js";

// Which buttons fit a runtime status: a hint for the page only, pizza-workflow decides (409 otherwise).
const BUTTONS = {
  RUNNING: ["pause", "cancel"],
  PENDING: ["cancel"],
  SUSPENDED: ["resume", "cancel"],
};
const DONE = { pause: "paused", resume: "resumed", cancel: "cancelled" };
const OPEN = Object.keys(BUTTONS);
const FINISHED = ["COMPLETED", "FAILED", "TERMINATED"];

// Every page of a listing, for the open orders: there are as many as are in the shop right now.
async function everyPage(status) {
  const orders = [];
  let cursor = null;
  do {
    const page = await api.orders({ status, cursor });
    orders.push(...page.orders);
    cursor = page.next;
  } while (cursor);
  return orders;
}

export class Views {
  constructor(trackers, menu, journey) {
    this.trackers = trackers;
    this.currency = menu.currency;
    this.waitingFor = journey.waiting_for;
    this.details = new Map();
    this.finishedPages = 1;
    document.getElementById("more-orders").addEventListener("click", () => {
      this.finishedPages += 1;
      this.refresh();
    });
  }

  // Finished orders come a page at a time (the "More" button): a shop keeps them for days.
  async finished() {
    const orders = [];
    let cursor = null;
    for (let n = 0; n < this.finishedPages; n += 1) {
      const page = await api.orders({ status: FINISHED, cursor });
      orders.push(...page.orders);
      cursor = page.next;
      if (!cursor) break;
    }
    return { orders, more: Boolean(cursor) };
  }

  async refresh() {
    if (!who.staff) return;
    let open, finished;
    try {
      [open, finished] = await Promise.all([everyPage(OPEN), this.finished()]);
    } catch (err) {
      notify(`Could not load the orders: ${err.message}`, "error");
      return;
    }
    const waiting = (who) => open.filter((o) => this.waitingFor[o.stage] === who);
    await Promise.all([
      this.renderWaiting("kitchen", waiting("kitchen"), "validate", ["Approve", "Reject"], "pizza of order"),
      this.renderWaiting("manager", waiting("manager"), "approve", ["Approve", "Refuse"], "order"),
    ]);
    this.renderOrders([...open, ...finished.orders]);
    document.getElementById("more-orders").hidden = !finished.more;
  }

  async detail(id) {
    if (!this.details.has(id)) {
      this.details.set(id, api.history(id).then(describe).catch(() => ""));
    }
    return this.details.get(id);
  }

  async renderWaiting(view, orders, action, [yes, no], what) {
    const items = await Promise.all(orders.map(async (o) => {
      const text = [`Order ${o.order_id}`, await this.detail(o.order_id), money(o.total_cents, this.currency)];
      if (o.attempt) text.push(`remake ${o.attempt}`);
      const decide = (approved) => (event) => this.decide(event.target, o.order_id, action, approved);
      return el("li", { "data-order-id": o.order_id },
        el("p", {}, text.filter(Boolean).join(" · ")),
        el("div", { class: "buttons" },
          el("button", { type: "button", "aria-label": `${yes} ${what} ${o.order_id}`, onclick: decide(true) }, yes),
          el("button", { type: "button", class: "danger", "aria-label": `${no} ${what} ${o.order_id}`,
            onclick: decide(false) }, no)));
    }));
    document.getElementById(`${view}-list`).replaceChildren(...items);
    document.getElementById(`${view}-empty`).hidden = items.length > 0;
  }

  renderOrders(orders) {
    const rows = orders.map((o) => el("tr", { "data-order-id": o.order_id, "data-runtime-status": o.runtime_status },
      el("th", { scope: "row" }, o.order_id),
      el("td", {}, label(o.runtime_status.toLowerCase())),
      el("td", {}, label(o.stage || "")),
      el("td", {}, money(o.total_cents, this.currency)),
      el("td", { class: "buttons" },
        el("button", { type: "button", class: "quiet", "aria-label": `Track order ${o.order_id}`,
          onclick: () => this.trackers.track(o.order_id) }, "Track"),
        ...(BUTTONS[o.runtime_status] || []).map((action) => el("button", {
          type: "button", class: action === "cancel" ? "danger" : "", "data-action": action,
          "aria-label": `${label(action)} order ${o.order_id}`,
          onclick: (event) => this.steer(event.target, o.order_id, action),
        }, label(action))))));
    document.querySelector("#orders-table tbody").replaceChildren(...rows);
    document.getElementById("orders-empty").hidden = rows.length > 0;
  }

  async decide(button, id, action, approved) {
    await this.send(button, id, action, { approved }, (r) =>
      `Order ${id}: ${r.validation_status || r.approval_status || (approved ? "approved" : "refused")}`);
  }

  async steer(button, id, action) {
    await this.send(button, id, action, {}, () => `Order ${id} ${DONE[action]}`);
  }

  async send(button, id, action, body, say) {
    button.disabled = true;
    try {
      notify(say(await api.act(id, action, body)));
    } catch (err) {
      notify(`Order ${id}: ${err.message}`, "error");
    } finally {
      button.disabled = false;
      this.refresh();
      // A pause or resume takes effect in the workflow engine a moment later (longer on a busy
      // machine), and publishes nothing: look again a few times.
      for (const ms of [1000, 3000, 6000, 12000]) setTimeout(() => this.refresh(), ms);
    }
  }
}
