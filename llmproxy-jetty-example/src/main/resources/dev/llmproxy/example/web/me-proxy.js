// The /me/proxy page: a user signs in with their proxy token, sees whether they have saved an
// upstream key, saves/replaces/removes it, copies the client setup, and sees their usage
// against their caps. The token stays in this
// page's memory only.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const prefixes = { anthropic: "sk-ant-", openai: "sk-" };
  let token = null;

  function provider() {
    return $("provider").value;
  }

  function showMessage(text) {
    $("message").textContent = text || "";
  }

  async function call(method, body) {
    const response = await fetch("/api/v1/me/keys/" + encodeURIComponent(provider()), {
      method: method,
      headers: Object.assign(
        { "Authorization": "Bearer " + token },
        body ? { "Content-Type": "application/json" } : {}),
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 204) {
      return null;
    }
    const json = await response.json().catch(() => ({}));
    if (!response.ok) {
      const message = json.error && json.error.message ? json.error.message : "HTTP " + response.status;
      throw new Error(message);
    }
    return json;
  }

  function render(state) {
    const status = $("status");
    if (state.configured) {
      status.textContent = "Configured: your " + state.provider + " key was saved "
        + new Date(state.configured_at).toLocaleString() + ".";
      status.className = "configured";
      $("save").textContent = "Replace key";
      $("remove").disabled = false;
    } else {
      status.textContent = "Not configured: requests use the shared key, if there is one.";
      status.className = "";
      $("save").textContent = "Save key";
      $("remove").disabled = true;
    }
    $("key").placeholder = prefixes[state.provider] + "…";
    $("key-section").hidden = false;
    $("setup-section").hidden = false;
    $("setup").textContent = setupBlock();
  }

  function setupBlock() {
    const base = window.location.origin + "/proxy/" + provider();
    if (provider() === "openai") {
      return "export OPENAI_BASE_URL=" + base + "/v1\nexport OPENAI_API_KEY=" + token + "\n";
    }
    return "export ANTHROPIC_BASE_URL=" + base + "\nexport ANTHROPIC_API_KEY=" + token + "\n";
  }

  function amount(a) {
    if (a.cap === null || a.cap === undefined) {
      return a.used + " used, no cap";
    }
    return a.used + " of " + a.cap + " (" + a.remaining + " left)";
  }

  async function loadUsage() {
    const response = await fetch("/api/v1/me/usage", {
      headers: { "Authorization": "Bearer " + token },
    });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(json.error && json.error.message ? json.error.message : "HTTP " + response.status);
    }
    const body = $("usage").tBodies[0];
    body.replaceChildren();
    for (const cap of json.caps || []) {
      const row = body.insertRow();
      const cells = [
        cap.account === "team" ? "team " + cap.team : "this token",
        cap.period,
        amount(cap.requests),
        amount(cap.spend_usd),
        cap.resets_at ? new Date(cap.resets_at).toLocaleString() : "never",
      ];
      cells.forEach((text, i) => {
        const td = row.insertCell();
        td.textContent = String(text);
        const a = i === 2 ? cap.requests : i === 3 ? cap.spend_usd : null;
        if (a && a.remaining !== null && Number(a.remaining) <= 0) {
          td.className = "exhausted";
        }
      });
    }
    $("usage-none").hidden = (json.caps || []).length > 0;
    $("usage-section").hidden = false;
  }

  async function refresh() {
    showMessage("");
    try {
      render(await call("GET"));
      await loadUsage();
    } catch (error) {
      $("status").textContent = "Not signed in.";
      $("key-section").hidden = true;
      $("setup-section").hidden = true;
      $("usage-section").hidden = true;
      showMessage(error.message);
    }
  }

  $("connect-form").addEventListener("submit", (event) => {
    event.preventDefault();
    token = $("token").value.trim();
    refresh();
  });

  $("provider").addEventListener("change", () => {
    if (token) {
      refresh();
    }
  });

  $("key-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    showMessage("");
    try {
      render(await call("PUT", { key: $("key").value.trim() }));
      $("key").value = "";
    } catch (error) {
      showMessage(error.message);
    }
  });

  $("remove").addEventListener("click", async () => {
    if (!window.confirm("Remove your " + provider() + " key? Requests will use the shared key.")) {
      return;
    }
    showMessage("");
    try {
      await call("DELETE");
      await refresh();
    } catch (error) {
      showMessage(error.message);
    }
  });

  $("copy").addEventListener("click", async () => {
    const result = $("copy-result");
    try {
      if (!navigator.clipboard) {
        throw new Error("the clipboard is not available here (it needs HTTPS or localhost)");
      }
      await navigator.clipboard.writeText($("setup").textContent);
      result.textContent = "Copied.";
    } catch (error) {
      result.textContent = "Copy failed: " + error.message + ". Select the text and copy it by hand.";
    }
  });
})();
