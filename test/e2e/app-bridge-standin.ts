/**
 * A tiny stand-in for App Bridge's CDN script (https://cdn.shopify.com/shopifycloud/app-bridge.js),
 * served by the admin e2e test instead of the real one. It provides what the page uses —
 * `shopify.toast.show` and the `ui-title-bar`, `ui-save-bar` and `ui-nav-menu` elements — and draws
 * them roughly where the Shopify admin would (title bar on top, save bar over it, toasts at the
 * bottom), so the screenshot looks like the embedded page and the test can click "Save".
 */
export const APP_BRIDGE_STANDIN_JS = String.raw`
(() => {
  const css = document.createElement("style");
  css.textContent = [
    "body { padding-top: 56px; }",
    ".ab-top { position: fixed; inset: 0 0 auto 0; height: 56px; z-index: 1000; display: flex; align-items: center; gap: 12px; padding: 0 20px; box-sizing: border-box; font: 600 15px/1 Inter, -apple-system, 'Segoe UI', sans-serif; }",
    ".ab-title { background: #1a1a1a; color: #e3e3e3; }",
    "ui-save-bar.ab-top { background: #303030; color: #fff; z-index: 1001; }",
    "ui-save-bar button { font: 600 13px/1 Inter, -apple-system, sans-serif; padding: 8px 14px; border-radius: 8px; border: 0; cursor: pointer; background: #4a4a4a; color: #fff; }",
    "ui-save-bar button[variant=primary] { background: #fff; color: #1a1a1a; }",
    ".ab-toasts { position: fixed; left: 50%; bottom: 24px; transform: translateX(-50%); z-index: 1002; display: flex; flex-direction: column; gap: 8px; align-items: center; }",
    ".ab-toast { background: #1a1a1a; color: #fff; padding: 12px 16px; border-radius: 10px; font: 500 14px/1.2 Inter, -apple-system, sans-serif; box-shadow: 0 4px 16px rgba(0,0,0,.25); }",
    ".ab-toast[data-error] { background: #8e1f0b; }",
  ].join("\n");
  document.head.appendChild(css);

  const toasts = document.createElement("div");
  toasts.className = "ab-toasts";
  let toastSeq = 0;

  window.shopify = {
    config: { apiKey: document.currentScript ? document.currentScript.dataset.apiKey : "" },
    idToken: async () => "app-bridge-standin",
    loading: () => {},
    toast: {
      show(message, opts) {
        if (!toasts.isConnected) document.body.appendChild(toasts);
        const el = document.createElement("div");
        el.className = "ab-toast";
        el.setAttribute("role", "status");
        el.dataset.toastId = String(++toastSeq);
        if (opts && opts.isError) el.dataset.error = "";
        el.textContent = message;
        toasts.appendChild(el);
        setTimeout(() => el.remove(), (opts && opts.duration) || 5000);
        return el.dataset.toastId;
      },
      hide(id) {
        const el = toasts.querySelector('[data-toast-id="' + id + '"]');
        if (el) el.remove();
      },
    },
  };

  // Own content goes into a shadow root, so the page's React-managed children are never touched.
  customElements.define("ui-title-bar", class extends HTMLElement {
    static get observedAttributes() { return ["title"]; }
    connectedCallback() {
      this.classList.add("ab-top", "ab-title");
      if (!this.shadowRoot) this.attachShadow({ mode: "open" }).innerHTML = "<style>small { font-weight: 400; color: #a8a8a8; }</style><span></span><small></small>";
      this.render();
    }
    attributeChangedCallback() { this.render(); }
    render() {
      if (!this.shadowRoot) return;
      this.shadowRoot.querySelector("span").textContent = this.getAttribute("title") || "";
      this.shadowRoot.querySelector("small").textContent = "Shopify admin (App Bridge stand-in)";
    }
  });

  customElements.define("ui-save-bar", class extends HTMLElement {
    connectedCallback() {
      this.classList.add("ab-top");
      if (!this.shadowRoot) this.attachShadow({ mode: "open" }).innerHTML = '<span style="flex:1">Unsaved changes</span><slot></slot>';
      if (!this.hasAttribute("data-open")) this.style.display = "none";
    }
    show() { this.setAttribute("data-open", ""); this.style.display = "flex"; this.dispatchEvent(new Event("show")); }
    hide() { this.removeAttribute("data-open"); this.style.display = "none"; this.dispatchEvent(new Event("hide")); }
    toggle() { this.hasAttribute("data-open") ? this.hide() : this.show(); }
    get showing() { return this.hasAttribute("data-open"); }
  });

  customElements.define("ui-nav-menu", class extends HTMLElement {
    connectedCallback() { this.style.display = "none"; }
  });
})();
`;
