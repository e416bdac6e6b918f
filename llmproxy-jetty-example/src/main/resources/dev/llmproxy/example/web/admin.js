// The /admin console: an operator signs in with the admin token (kept in this tab's
// sessionStorage), then sees the issued tokens (and issues or revokes them), spend over time by
// user or model, the recent exchanges from the audit log, and the upstreams' health. Every value
// from the server is written with textContent or as an SVG attribute, never as HTML.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const KEY = "llmproxy.admin";
  const SVG = "http://www.w3.org/2000/svg";
  const COLOURS = 6;

  function token() {
    return window.sessionStorage.getItem(KEY);
  }

  function showMessage(text) {
    $("message").textContent = text || "";
  }

  async function api(method, path, body) {
    const response = await fetch(path, {
      method: method,
      headers: Object.assign(
        { "Authorization": "Bearer " + token() },
        body ? { "Content-Type": "application/json" } : {}),
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 401) {
      signOut();
      throw new Error("The admin token was refused.");
    }
    if (response.status === 204) {
      return null;
    }
    const json = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(json.error && json.error.message ? json.error.message : "HTTP " + response.status);
    }
    return json;
  }

  function cell(row, text, className) {
    const td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "–" : String(text);
    if (className) {
      td.className = className;
    }
    row.appendChild(td);
    return td;
  }

  function of(used, cap) {
    return cap === null || cap === undefined ? used + " / ∞" : used + " / " + cap;
  }

  function when(iso) {
    return iso ? new Date(iso).toLocaleString() : null;
  }

  // Tokens: caps, usage, state; revoke.
  async function loadTokens() {
    const json = await api("GET", "/admin/tokens");
    const body = $("tokens").tBodies[0];
    body.replaceChildren();
    for (const t of json.tokens) {
      const row = body.insertRow();
      row.dataset.id = t.id;
      row.dataset.user = t.user;
      cell(row, t.user);
      cell(row, t.tier);
      cell(row, of(t.used_requests, t.max_requests));
      cell(row, of(t.spent_usd, t.max_spend_usd));
      cell(row, when(t.resets_at));
      cell(row, when(t.expires_at));
      cell(row, t.revoked ? "revoked" : "active", t.revoked ? "revoked state" : "active state");
      const actions = cell(row, "");
      if (!t.revoked) {
        const revoke = document.createElement("button");
        revoke.type = "button";
        revoke.className = "revoke";
        revoke.textContent = "Revoke";
        revoke.addEventListener("click", () => revokeToken(t));
        actions.appendChild(revoke);
      }
    }
  }

  async function revokeToken(t) {
    if (!window.confirm("Revoke " + t.user + "'s token? Its requests will be refused at once.")) {
      return;
    }
    showMessage("");
    try {
      await api("DELETE", "/admin/tokens/" + encodeURIComponent(t.id));
      await loadTokens();
    } catch (error) {
      showMessage(error.message);
    }
  }

  $("issue-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    showMessage("");
    const body = { user: $("issue-user").value.trim() };
    if ($("issue-tier").value.trim()) {
      body.tier = $("issue-tier").value.trim();
    }
    if ($("issue-requests").value) {
      body.max_requests = Number($("issue-requests").value);
    }
    if ($("issue-spend").value) {
      body.max_spend_usd = Number($("issue-spend").value);
    }
    try {
      const issued = await api("POST", "/admin/tokens", body);
      const note = $("issued");
      note.replaceChildren("Issued to " + issued.user + ", shown this once: ");
      const code = document.createElement("code");
      code.textContent = issued.token;
      note.appendChild(code);
      $("issue-form").reset();
      await loadTokens();
    } catch (error) {
      showMessage(error.message);
    }
  });

  // Spend over time: /admin/usage sums since an instant, so a bucket's spend is the difference
  // between the sums since its start and since its end.
  async function loadChart() {
    const group = $("chart-group").value;
    const week = $("chart-range").value === "week";
    const buckets = week ? 7 : 8;
    const step = (week ? 24 : 3) * 3600 * 1000;
    const end = Date.now();
    const edges = [];
    for (let i = 0; i < buckets; i++) {
      edges.push(end - (buckets - i) * step);
    }
    const sums = await Promise.all(edges.map((edge) =>
      api("GET", "/admin/usage?group_by=" + group + "&since=" + new Date(edge).toISOString())));
    const maps = sums.map((json) => {
      const map = new Map();
      for (const row of json.rows) {
        map.set(row.key === null ? "(none)" : row.key, Number(row.cost_usd));
      }
      return map;
    });
    maps.push(new Map());
    const series = new Map(); // key -> spend per bucket
    for (let i = 0; i < buckets; i++) {
      for (const [key, since] of maps[i]) {
        const later = maps[i + 1].get(key) || 0;
        if (!series.has(key)) {
          series.set(key, new Array(buckets).fill(0));
        }
        series.get(key)[i] = Math.max(0, since - later);
      }
    }
    const ranked = [...series.entries()]
      .map(([key, values]) => [key, values, values.reduce((a, b) => a + b, 0)])
      .sort((a, b) => b[2] - a[2]);
    const shown = ranked.slice(0, COLOURS - 1);
    const rest = ranked.slice(COLOURS - 1);
    if (rest.length) {
      const other = new Array(buckets).fill(0);
      rest.forEach(([, values]) => values.forEach((v, i) => { other[i] += v; }));
      shown.push(["other", other, other.reduce((a, b) => a + b, 0)]);
    }
    drawChart(shown, edges, step, week);
  }

  function svg(name, attributes, parent) {
    const element = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) {
      element.setAttribute(key, String(value));
    }
    parent.appendChild(element);
    return element;
  }

  function drawChart(series, edges, step, week) {
    const chart = $("spend-chart");
    chart.replaceChildren();
    const width = 640, height = 240, left = 56, bottom = 24, top = 12;
    const plotHeight = height - bottom - top;
    const totals = edges.map((_, i) => series.reduce((sum, [, values]) => sum + values[i], 0));
    const max = Math.max(...totals, 0);
    svg("line", { x1: left, y1: top + plotHeight, x2: width - 8, y2: top + plotHeight, class: "axis" }, chart);
    svg("text", { x: 4, y: top + 10 }, chart).textContent = "$" + (max ? max.toPrecision(3) : "0");
    svg("text", { x: 4, y: top + plotHeight }, chart).textContent = "$0";
    const slot = (width - left - 8) / edges.length;
    edges.forEach((edge, i) => {
      let y = top + plotHeight;
      series.forEach(([key, values], s) => {
        const h = max ? (values[i] / max) * plotHeight : 0;
        if (h > 0) {
          y -= h;
          const bar = svg("rect", {
            x: left + i * slot + 4, y: y, width: slot - 8, height: h,
            class: "bar c" + s, "data-key": key,
          }, chart);
          svg("title", {}, bar).textContent = key + ": $" + values[i].toFixed(6);
        }
      });
      const label = new Date(edge);
      svg("text", { x: left + i * slot + 4, y: height - 6 }, chart).textContent = week
        ? label.toLocaleDateString(undefined, { month: "short", day: "numeric" })
        : label.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
    });
    const legend = $("chart-legend");
    legend.replaceChildren();
    series.forEach(([key, , total], s) => {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch c" + s;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(key + " $" + total.toFixed(6)));
      legend.appendChild(item);
    });
    if (!series.length) {
      svg("text", { x: left + 8, y: top + plotHeight / 2 }, chart).textContent = "No spend in this range.";
    }
  }

  $("chart-group").addEventListener("change", () => loadChart().catch((e) => showMessage(e.message)));
  $("chart-range").addEventListener("change", () => loadChart().catch((e) => showMessage(e.message)));

  // Recent exchanges, filtered; upstream health from the latest ones.
  async function loadExchanges() {
    const query = new URLSearchParams({ limit: "50" });
    for (const [param, id] of [["user", "filter-user"], ["model", "filter-model"],
      ["provider", "filter-provider"], ["outcome", "filter-outcome"]]) {
      if ($(id).value.trim()) {
        query.set(param, $(id).value.trim());
      }
    }
    const json = await api("GET", "/admin/audit?" + query);
    const body = $("exchanges").tBodies[0];
    body.replaceChildren();
    for (const e of json.exchanges) {
      const row = body.insertRow();
      cell(row, when(e.ts));
      cell(row, e.principal);
      cell(row, e.provider);
      cell(row, e.model);
      cell(row, e.status, e.status >= 400 ? "bad" : null);
      cell(row, e.outcome, e.outcome === "ok" ? null : "bad");
      cell(row, e.latency_ms);
      cell(row, e.ttfb_ms);
      cell(row, e.overhead_ms);
      cell(row, e.cost_usd);
    }
  }

  async function loadHealth() {
    const json = await api("GET", "/admin/audit?limit=200");
    const byProvider = new Map();
    for (const e of json.exchanges) {
      if (!e.provider) {
        continue;
      }
      if (!byProvider.has(e.provider)) {
        byProvider.set(e.provider, { count: 0, errors: 0, last: e.status, ttfbs: [] });
      }
      const p = byProvider.get(e.provider);
      p.count++;
      if (e.outcome === "upstream_error") {
        p.errors++;
      }
      if (typeof e.ttfb_ms === "number") {
        p.ttfbs.push(e.ttfb_ms);
      }
    }
    const body = $("health").tBodies[0];
    body.replaceChildren();
    for (const [provider, p] of byProvider) {
      const row = body.insertRow();
      row.dataset.provider = provider;
      cell(row, provider);
      cell(row, p.count);
      cell(row, p.errors, p.errors ? "bad" : null);
      cell(row, p.last, p.last >= 500 ? "bad" : null);
      p.ttfbs.sort((a, b) => a - b);
      cell(row, p.ttfbs.length ? p.ttfbs[Math.floor(p.ttfbs.length / 2)] : null);
    }
  }

  $("filter-form").addEventListener("submit", (event) => {
    event.preventDefault();
    loadExchanges().catch((e) => showMessage(e.message));
  });

  async function loadAll() {
    showMessage("");
    try {
      await loadTokens();
      $("signin-section").hidden = true;
      $("console").hidden = false;
      await Promise.all([loadChart(), loadExchanges(), loadHealth()]);
    } catch (error) {
      showMessage(error.message);
    }
  }

  function signOut() {
    window.sessionStorage.removeItem(KEY);
    $("console").hidden = true;
    $("signin-section").hidden = false;
  }

  $("signin-form").addEventListener("submit", (event) => {
    event.preventDefault();
    window.sessionStorage.setItem(KEY, $("admin-token").value.trim());
    $("admin-token").value = "";
    loadAll();
  });
  $("signout").addEventListener("click", signOut);
  $("refresh").addEventListener("click", loadAll);

  if (token()) {
    loadAll();
  }
})();
