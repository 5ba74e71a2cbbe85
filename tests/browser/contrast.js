// Run in the page by tests/browser/test_contrast.py: every visible piece of text against what is
// drawn behind it, measured as WCAG 2.x does (the same formula as loanwatch/core/contrast.py),
// and every badge checked for words of its own.
() => {
  const TEXT = 4.5, LARGE_TEXT = 3.0;

  const linear = (channel) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  };
  const luminance = ([r, g, b]) => 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  const ratio = (a, b) => {
    const [la, lb] = [luminance(a), luminance(b)];
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  };
  // "rgb(r, g, b)", "rgba(r, g, b, a)" or "color(srgb r g b / a)", as getComputedStyle writes
  // them; [r, g, b, alpha] with channels 0-255.
  const parse = (value) => {
    let m = value.match(/^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/);
    if (m) return [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]];
    m = value.match(/^color\(srgb ([\d.]+) ([\d.]+) ([\d.]+)(?: \/ ([\d.]+))?\)$/);
    if (m) return [m[1] * 255, m[2] * 255, m[3] * 255, m[4] === undefined ? 1 : +m[4]];
    return null;
  };
  const over = ([r, g, b, a], [R, G, B]) =>
    [r * a + R * (1 - a), g * a + G * (1 - a), b * a + B * (1 - a)];
  const hex = (rgb) => "#" + rgb.slice(0, 3).map(
    (c) => Math.round(c).toString(16).padStart(2, "0")).join("");

  // What the eye sees: rendered, not hidden by opacity or visibility, not clipped away for
  // screen readers only, and not greyed out as disabled (WCAG exempts inactive controls).
  const shown = (el) => {
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true,
                                opacityProperty: true, visibilityProperty: true})) return false;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) return false;
    return !el.closest(".visually-hidden, .visually-hidden-focusable:not(:focus-within), " +
                       "script, style, template, [hidden], :disabled, " +
                       ".disabled, [aria-disabled=true]");
  };

  // The text's own words: its text nodes; for a form control, the value it shows (never the
  // placeholder, which is no content).
  const ownText = (el) => {
    if (el.matches("input[type=submit], input[type=button], input[type=reset]")) return el.value;
    if (el.matches("input:not([type]), input[type=text], input[type=number], input[type=email], " +
                   "input[type=tel], input[type=date], input[type=search], textarea")) {
      return el.value;
    }
    if (el.matches("select")) return el.selectedOptions.length ? el.selectedOptions[0].text : "";
    if (el.matches("option, optgroup")) return "";
    let text = "";
    for (const node of el.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) text += node.nodeValue;
    }
    return text.trim();
  };

  // The colour behind `el`: its own background and its ancestors', composited from the first
  // opaque one down; null when an image or a gradient lies in between (not measurable here).
  const background = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      // A select's chevron and a field's validity icon sit beside the text, not behind it.
      if (style.backgroundImage !== "none" && !node.matches("select, .form-control")) return null;
      const colour = parse(style.backgroundColor);
      if (colour && colour[3] > 0) {
        layers.push(colour);
        if (colour[3] >= 1) break;
      }
    }
    let base = [255, 255, 255];  // the canvas under everything
    for (const layer of layers.reverse()) base = over(layer, base);
    return base;
  };

  const opacity = (el) => {
    let product = 1;
    for (let node = el; node; node = node.parentElement) {
      product *= parseFloat(getComputedStyle(node).opacity);
    }
    return product;
  };

  const path = (el) => {
    const parts = [];
    for (let node = el; node && node !== document.body && parts.length < 5;
         node = node.parentElement) {
      let part = node.tagName.toLowerCase();
      if (node.id) { parts.unshift(part + "#" + node.id); break; }
      const classes = [...node.classList].filter((c) => !c.startsWith("col") && c !== "show");
      if (classes.length) part += "." + classes.slice(0, 3).join(".");
      parts.unshift(part);
    }
    return parts.join(" > ");
  };

  const failures = [];
  const seen = new Set();
  let measured = 0, skipped = 0;
  for (const el of document.body.querySelectorAll("*")) {
    const text = ownText(el).trim();
    if (!text || !shown(el)) continue;
    const style = getComputedStyle(el);
    const colour = parse(style.color);
    const behind = background(el);
    if (!colour || !behind) { skipped++; continue; }
    measured++;
    colour[3] *= opacity(el);
    const fore = over(colour, behind);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight, 10) >= 700);
    const needed = large ? LARGE_TEXT : TEXT;
    const value = ratio(fore, behind);
    if (value + 1e-6 < needed) {
      const key = path(el) + "|" + hex(fore) + "|" + hex(behind);
      if (seen.has(key)) continue;  // one line for a column of identical cells
      seen.add(key);
      failures.push({path: path(el), text: text.slice(0, 40), colour: hex(fore),
                     background: hex(behind), ratio: Math.round(value * 100) / 100,
                     needed: needed});
    }
  }

  // A badge says in words what its colour says: never a coloured blob alone.
  const mute = [];
  for (const el of document.body.querySelectorAll(".badge, [class*=status-dot]")) {
    if (!el.checkVisibility()) continue;
    if (!el.innerText.trim() && !(el.getAttribute("aria-label") || "").trim()) mute.push(path(el));
  }
  return {failures: failures, measured: measured, skipped: skipped, mute: mute};
}
