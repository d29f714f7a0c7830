/* The search page reads math as text, lists the section a symbol is about, and lists a page once.
 *
 * Loaded on search.html only (_ext/readable_search.py), deferred: it runs after Sphinx 7.4's
 * searchtools.js has defined `Search` and before `Search.init` runs the query (on
 * DOMContentLoaded), and replaces three of its functions:
 *
 * - Search.htmlToText: the excerpt under a result is cut from the result's page, fetched as
 *   HTML, where a formula is still its TeX (`\(\hat v_t\)`; MathJax typesets it only in the
 *   page). Each formula becomes readable text (v̂ₜ), and the page's header and printed table of
 *   contents are left out.
 * - Search.makeSearchSummary: the excerpt starts where most of the searched words are, matched
 *   at the start of a word ("hat" no longer matches "what") and by their Greek letter ("ε").
 * - Search._performSearch: Sphinx's results, plus, for a symbol ("epsilon hat", "beta"), the
 *   section whose formulas use it most (window.READABLE_SEARCH_SYMBOLS, counted at build time);
 *   then each page and section once: the hit on a page's own title, labelled
 *   "4. Bias correction > Bias correction", is the page; a page also found through one of its
 *   sections or terms is listed as that section or term, with the better score.
 */
"use strict";

(() => {
  if (typeof Search === "undefined") return;

  const GREEK = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", zeta: "ζ",
    eta: "η", theta: "θ", vartheta: "θ", iota: "ι", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν",
    xi: "ξ", pi: "π", rho: "ρ", sigma: "σ", tau: "τ", phi: "φ", varphi: "φ", chi: "χ",
    psi: "ψ", omega: "ω", Gamma: "Γ", Delta: "Δ", Theta: "Θ", Lambda: "Λ", Xi: "Ξ", Pi: "Π",
    Sigma: "Σ", Phi: "Φ", Psi: "Ψ", Omega: "Ω",
  };
  const ACCENTS = {
    hat: "\u0302", widehat: "\u0302", bar: "\u0304", overline: "\u0304", tilde: "\u0303",
    widetilde: "\u0303", dot: "\u0307", vec: "\u20d7",
  };
  const SYMBOLS = {
    cdot: "·", times: "×", le: "≤", leq: "≤", ge: "≥", geq: "≥", ne: "≠", neq: "≠",
    approx: "≈", sim: "~", in: "∈", to: "→", rightarrow: "→", leftarrow: "←", gets: "←",
    infty: "∞", sum: "Σ", prod: "Π", partial: "∂", nabla: "∇", pm: "±", mp: "∓", odot: "⊙",
    otimes: "⊗", circ: "∘", mid: "|", lvert: "|", rvert: "|", vert: "|", lVert: "‖",
    rVert: "‖", Vert: "‖", langle: "⟨", rangle: "⟩", ldots: "…", cdots: "⋯", dots: "…",
    prime: "′", sqrt: "√", gg: "≫", ll: "≪", neg: "¬", forall: "∀", exists: "∃",
    propto: "∝", equiv: "≡", cup: "∪", cap: "∩", subset: "⊂", mapsto: "↦", Rightarrow: "⇒", lfloor: "⌊", rfloor: "⌋", lceil: "⌈", rceil: "⌉", "%": "%",
    "{": "{", "}": "}", "_": "_", "#": "#", "&": "&", "$": "$",
  };
  // Commands that only lay the formula out.
  const LAYOUT = new Set(("left right big Big bigg Bigg bigl bigr Bigl Bigr displaystyle textstyle " +
    "limits nolimits nonumber notag quad qquad underbrace overbrace").split(" "));
  const SUB = {
    0: "₀", 1: "₁", 2: "₂", 3: "₃", 4: "₄", 5: "₅", 6: "₆", 7: "₇", 8: "₈", 9: "₉", "+": "₊",
    "-": "₋", "−": "₋", "=": "₌", "(": "₍", ")": "₎", a: "ₐ", e: "ₑ", h: "ₕ", i: "ᵢ", j: "ⱼ",
    k: "ₖ", l: "ₗ", m: "ₘ", n: "ₙ", o: "ₒ", p: "ₚ", r: "ᵣ", s: "ₛ", t: "ₜ", u: "ᵤ", v: "ᵥ",
    x: "ₓ",
  };
  const SUP = {
    0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹", "+": "⁺",
    "-": "⁻", "−": "⁻", "=": "⁼", "(": "⁽", ")": "⁾", a: "ᵃ", b: "ᵇ", c: "ᶜ", d: "ᵈ", e: "ᵉ",
    f: "ᶠ", g: "ᵍ", h: "ʰ", i: "ⁱ", j: "ʲ", k: "ᵏ", l: "ˡ", m: "ᵐ", n: "ⁿ", o: "ᵒ", p: "ᵖ",
    r: "ʳ", s: "ˢ", t: "ᵗ", u: "ᵘ", v: "ᵛ", w: "ʷ", x: "ˣ", y: "ʸ", z: "ᶻ", T: "ᵀ",
  };

  const ACCENT = new RegExp(String.raw`\\(${Object.keys(ACCENTS).join("|")})\b\s*` +
    String.raw`(?:\{\s*(\\[A-Za-z]+|[A-Za-z])\s*\}|(\\[A-Za-z]+|[A-Za-z]))`, "g");
  const script = (text, table, mark) => {
    const chars = [...text.replace(/\s+/g, "")];
    if (chars.length && chars.every((c) => c in table)) return chars.map((c) => table[c]).join("");
    return mark + (chars.length > 1 ? `(${text.trim()})` : text.trim());
  };
  const group = (text) => (/^(?:\\[A-Za-z]+|[\p{L}\p{N}.\u0300-\u036f\u20d7_^])+$/u.test(text.trim()) ? text.trim() : `(${text.trim()})`);

  /** A TeX formula (without its delimiters) as plain text: \hat\epsilon_t -> ε̂ₜ. */
  const texToText = (tex) => {
    let s = tex
      .replace(/\\(?:begin|end|label|tag)\s*\{[^{}]*\}/g, " ")
      .replace(/\\\\/g, " ; ")
      .replace(/\\[,;:! ]/g, " ")
      .replace(/&/g, "");
    // Innermost groups first, until nothing changes.
    for (let done = false, n = 0; !done && n < 20; n++) {
      const before = s;
      s = s
        .replace(/\\(?:text|mathrm|operatorname|mathbf|boldsymbol|mathit|mathcal|mathsf|textrm|textbf|texttt)\s*\{([^{}]*)\}/g, "$1")
        .replace(ACCENT, (all, cmd, a, b) => {
          const base = (a || b).replace(/^\\([A-Za-z]+)$/, (m, name) => GREEK[name] ?? name);
          return base + ACCENTS[cmd];
        })
        .replace(/\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, (m, a, b) => `${group(a)}/${group(b)}`)
        .replace(/\\sqrt\s*\{([^{}]*)\}/g, (m, a) => `√${group(a)}`)
        .replace(/_\s*\{([^{}]*)\}/g, (m, a) => script(a, SUB, "_"))
        .replace(/\^\s*\{([^{}]*)\}/g, (m, a) => script(a, SUP, "^"))
        // a bare group, not the argument of a command (\frac{a}{b} waits for its arguments)
        .replace(/(^|[^A-Za-z_^}])\{([^{}]*)\}/g, "$1$2");
      done = s === before;
    }
    s = s
      .replace(/\\([A-Za-z]+)/g, (m, name) =>
        GREEK[name] ?? SYMBOLS[name] ?? (LAYOUT.has(name) ? " " : ` ${name} `))
      .replace(/\\(.)/g, (m, c) => SYMBOLS[c] ?? c)
      .replace(/_([A-Za-z0-9])/g, (m, c) => SUB[c] ?? `_${c}`)
      .replace(/\^([A-Za-z0-9])/g, (m, c) => SUP[c] ?? `^${c}`)
      .replace(/-/g, "−")
      .replace(/[{}]/g, "");
    return s.replace(/\s+/g, " ").replace(/\s+([,.;)])/g, "$1").replace(/([(√])\s+/g, "$1").trim();
  };

  /** Text that still holds delimited TeX (\(...\), \[...\], $...$) with the TeX made readable. */
  const untex = (text) =>
    text
      .replace(/\\\(([\s\S]*?)\\\)|\\\[([\s\S]*?)\\\]|\$\$([\s\S]+?)\$\$|\$([^$\n]+?)\$/g,
        (m, a, b, c, d) => texToText(a ?? b ?? c ?? d));

  Search.readable = { texToText, untex };

  Search.htmlToText = (htmlString, anchor) => {
    const html = new DOMParser().parseFromString(htmlString, "text/html");
    const drop = [".headerlink", "script", "style", ".eqno", ".bd-header-article",
      "#print-main-content", ".onlyprint", ".prev-next-area", ".prev-next-footer"];
    html.querySelectorAll(drop.join(",")).forEach((el) => el.remove());
    html.querySelectorAll(".math").forEach((el) => {
      el.textContent = ` ${untex(el.textContent.trim())} `;
    });
    const main = html.querySelector('[role="main"]');
    let block = anchor && main ? main.querySelector(anchor) : null;
    if (!block) block = main?.querySelector("article") ?? main;
    if (!block) return "";
    return block.textContent.replace(/\s+/g, " ").trim();
  };

  const LETTER = Object.fromEntries(
    Object.entries(GREEK).filter(([name]) => !name.startsWith("var")).map(([n, c]) => [n.toLowerCase(), c]));
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

  Search.makeSearchSummary = (htmlText, keywords, anchor) => {
    const text = Search.htmlToText(htmlText, anchor);
    if (text === "") return null;
    // Each searched word at the start of a word, or its Greek letter.
    const patterns = [...keywords].map((k) => {
      const word = k.toLowerCase();
      const alternatives = [`(?<![\\p{L}\\p{N}_])${escape(word)}`];
      if (LETTER[word]) alternatives.push(LETTER[word]);
      return new RegExp(alternatives.join("|"), "giu");
    });
    const hits = [];
    patterns.forEach((re, which) => {
      for (const m of text.matchAll(re)) hits.push([m.index, which]);
    });
    hits.sort((a, b) => a[0] - b[0]);
    // Where the most different words lie within one excerpt's length.
    let best = hits.length ? hits[0][0] : 0, most = 0;
    for (const [at] of hits) {
      const near = new Set(hits.filter(([i]) => i >= at && i < at + 160).map(([, w]) => w)).size;
      if (near > most) [best, most] = [at, near];
    }
    const start = Math.max(best - 80, 0);
    const summary = document.createElement("p");
    summary.classList.add("context");
    summary.textContent = (start > 0 ? "..." : "") + text.substr(start, 240).trim() +
      (start + 240 < text.length ? "..." : "");
    return summary;
  };

  const plain = (html) => html.replace(/<[^>]*>/g, "").replace(/^[\d.]+\s+/, "").trim();

  const sectionHits = (query) => {
    const table = window.READABLE_SEARCH_SYMBOLS;
    if (!table) return [];
    const stop = typeof stopwords === "undefined" ? [] : stopwords;
    const words = splitQuery(query.toLowerCase())
      .map((w) => Object.entries(LETTER).find(([, c]) => c === w)?.[0] ?? w)
      .filter((w) => !stop.includes(w));
    if (!words.length) return [];
    const wanted = [...new Set(words)].sort().join(" ");
    const { docnames, titles, filenames, alltitles } = Search._index;
    // Section titles by anchor, from Sphinx's own index.
    const sectionTitle = {};
    for (const [title, places] of Object.entries(alltitles))
      for (const [file, id] of places) if (id) sectionTitle[`${file}#${id}`] = title;
    const hits = [];
    for (const [docname, sections] of Object.entries(table)) {
      const file = docnames.indexOf(docname);
      if (file < 0) continue;
      let best = null;
      for (const [anchor, symbols] of Object.entries(sections))
        for (const [symbol, count] of Object.entries(symbols))
          if (symbol.split(" ").sort().join(" ") === wanted && (!best || count > best[1]))
            best = [anchor, count];
      if (!best) continue;
      const [anchor, count] = best;
      const title = anchor && sectionTitle[`${file}#${anchor}`];
      // Above a word in a page's text (5) or title (15): the more uses, the higher.
      hits.push([docname, title ? `${titles[file]} > ${title}` : titles[file],
        anchor ? `#${anchor}` : "", null, Scorer.title + 1 + Math.min(count, 20), filenames[file]]);
    }
    return hits;
  };

  const performSearch = Search._performSearch;
  Search._performSearch = (query, searchTerms, excludedTerms, highlightTerms, objectTerms) => {
    // Sphinx returns the best result last; work best first.
    const found = performSearch(query, searchTerms, excludedTerms, highlightTerms, objectTerms).reverse();
    for (const hit of sectionHits(query)) {
      const at = found.findIndex((r) => r[4] < hit[4]);
      found.splice(at < 0 ? found.length : at, 0, hit);
    }
    for (const r of found) {
      const [own, section] = r[1].split(" > ");
      // The hit on a page's own title is the page.
      if (section !== undefined && r[2] === "" && plain(own) === section) r[1] = own;
      if (/\\[A-Za-z]/.test(r[1])) r[1] = r[1].replace(/ > (.*)$/, (m, t) => ` > ${texToText(t)}`);
    }
    // Each page once: a page also found at one of its anchors is listed at the best of those.
    const out = [], seen = new Set(), taken = new Set(), anchored = new Set();
    found.forEach((r, i) => {
      if (taken.has(i)) return;
      if (r[2] === "" && anchored.has(r[0])) return;
      if (r[2] === "") {
        const j = found.findIndex((s, k) => k > i && !taken.has(k) && s[0] === r[0] && s[2] !== "");
        if (j >= 0) {
          taken.add(j);
          r = [...found[j]];
          r[4] = Math.max(r[4], found[i][4]);
        }
      }
      const key = `${r[0]}${r[2]}`;
      if (seen.has(key)) return;
      seen.add(key);
      if (r[2] !== "") anchored.add(r[0]);
      out.push(r);
    });
    return out.reverse();
  };
})();
