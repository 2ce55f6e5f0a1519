// Draws LINE message objects (as the bot sent them to the Messaging API) as DOM.
//
// Every string that came from the bot goes through textContent or a validated
// attribute; nothing is ever assigned to innerHTML.  Colours, sizes and URLs from a
// message are checked before they reach a style or an attribute.

const SVG_NS = "http://www.w3.org/2000/svg";

// -- small DOM helpers -----------------------------------------------------------------
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export function svg(paths, { viewBox = "0 0 24 24", className = "icon" } = {}) {
  const root = document.createElementNS(SVG_NS, "svg");
  root.setAttribute("viewBox", viewBox);
  root.setAttribute("aria-hidden", "true");
  root.setAttribute("class", className);
  for (const spec of paths) {
    const node = document.createElementNS(SVG_NS, spec.tag || "path");
    for (const [key, value] of Object.entries(spec)) {
      if (key !== "tag") node.setAttribute(key, value);
    }
    root.append(node);
  }
  return root;
}

export const ICONS = {
  calendar: [
    { tag: "rect", x: "3.5", y: "5", width: "17", height: "15", rx: "2.5", fill: "none", stroke: "currentColor", "stroke-width": "1.8" },
    { d: "M3.5 10h17M8 3v4M16 3v4", stroke: "currentColor", "stroke-width": "1.8", "stroke-linecap": "round", fill: "none" },
  ],
  clock: [
    { tag: "circle", cx: "12", cy: "12", r: "8.5", fill: "none", stroke: "currentColor", "stroke-width": "1.8" },
    { d: "M12 7.5V12l3 2", stroke: "currentColor", "stroke-width": "1.8", "stroke-linecap": "round", fill: "none" },
  ],
  photo: [
    { tag: "rect", x: "3", y: "5", width: "18", height: "14", rx: "2.5", fill: "none", stroke: "currentColor", "stroke-width": "1.8" },
    { tag: "circle", cx: "9", cy: "10", r: "1.8", fill: "currentColor" },
    { d: "M4 17l5-4.5 3.5 3 3-2.5L20 17", stroke: "currentColor", "stroke-width": "1.8", "stroke-linejoin": "round", fill: "none" },
  ],
  link: [
    { d: "M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1", stroke: "currentColor", "stroke-width": "1.8", "stroke-linecap": "round", fill: "none" },
  ],
  pin: [
    { d: "M12 21s-6.5-6.1-6.5-11a6.5 6.5 0 0 1 13 0c0 4.9-6.5 11-6.5 11z", fill: "none", stroke: "currentColor", "stroke-width": "1.8" },
    { tag: "circle", cx: "12", cy: "10", r: "2.3", fill: "currentColor" },
  ],
};

// A friendly round face: the stand-in for any sticker (real ones live on LINE's CDN).
export function stickerArt() {
  return svg(
    [
      { tag: "circle", cx: "60", cy: "62", r: "46", fill: "#FFD65C", stroke: "#3B3B3B", "stroke-width": "4" },
      { tag: "ellipse", cx: "30", cy: "74", rx: "9", ry: "6", fill: "#FF9DA0", opacity: ".75" },
      { tag: "ellipse", cx: "90", cy: "74", rx: "9", ry: "6", fill: "#FF9DA0", opacity: ".75" },
      { d: "M38 58q7-9 14 0M68 58q7-9 14 0", stroke: "#3B3B3B", "stroke-width": "4.5", "stroke-linecap": "round", fill: "none" },
      { d: "M44 76q16 16 32 0", stroke: "#3B3B3B", "stroke-width": "4.5", "stroke-linecap": "round", fill: "#fff" },
      { d: "M96 22l4-9 4 9 9 4-9 4-4 9-4-9-9-4z", fill: "#06C755" },
    ],
    { viewBox: "0 0 120 120", className: "sticker-art" },
  );
}

// -- safe values ------------------------------------------------------------------------
const COLOR = /^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;
const LENGTH = /^\d+(?:\.\d+)?(?:px|%)$/;

function color(value) {
  return typeof value === "string" && COLOR.test(value) ? value : null;
}

export function safeUrl(value, { allowTel = false } = {}) {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value);
    if (url.protocol === "https:" || url.protocol === "http:") return url.href;
    if (allowTel && url.protocol === "tel:") return url.href;
  } catch {
    /* not a URL */
  }
  return null;
}

// LINE shows only https images; the simulator also never sends a Referer to their hosts.
export function remoteImage(value, { className = null, alt = "" } = {}) {
  const url = safeUrl(value);
  if (!url || !url.startsWith("https:")) return null;
  const img = el("img", className);
  img.alt = alt;
  img.referrerPolicy = "no-referrer";
  img.src = url;
  return img;
}

const SPACING = { none: 0, xs: 2, sm: 4, md: 8, lg: 12, xl: 16, xxl: 20 };
const TEXT_SIZE = { xxs: 11, xs: 13, sm: 14, md: 16, lg: 19, xl: 22, xxl: 29, "3xl": 35, "4xl": 48, "5xl": 74 };
const ICON_SIZE = { xxs: 11, xs: 13, sm: 14, md: 16, lg: 19, xl: 22, xxl: 29, "3xl": 35, "4xl": 48, "5xl": 74 };
const IMAGE_SIZE = { xxs: 40, xs: 60, sm: 80, md: 100, lg: 120, xl: 140, xxl: 160, "3xl": 180, "4xl": 200, "5xl": 220, full: "100%" };
const BUBBLE_WIDTH = { nano: 120, micro: 160, deca: 220, hecto: 241, kilo: 260, mega: 300, giga: 386 };
const RADIUS = { none: 0, xs: 2, sm: 4, md: 8, lg: 12, xl: 16, xxl: 20 };
const WEIGHT = { regular: "400", bold: "700" };

function spacing(value) {
  if (value in SPACING) return `${SPACING[value]}px`;
  if (typeof value === "string" && LENGTH.test(value)) return value;
  return null;
}

function length(value, table) {
  if (table && value in table) {
    const v = table[value];
    return typeof v === "number" ? `${v}px` : v;
  }
  if (typeof value === "string" && LENGTH.test(value)) return value;
  return null;
}

// -- text with LINE-style links ---------------------------------------------------------
const LINKABLE = /(https?:\/\/[^\s<>"'「」（）()]+)|((?:0\d{1,4}-\d{1,4}-\d{3,4})|(?:\b0120-\d{2,3}-\d{3}\b)|(?:#\d{4}))/g;

export function linkify(parent, text) {
  // LINE turns URLs and phone numbers into links; so does the simulator (safely).
  let last = 0;
  for (const match of text.matchAll(LINKABLE)) {
    if (match.index > last) parent.append(document.createTextNode(text.slice(last, match.index)));
    const a = el("a", "autolink", match[0]);
    if (match[1]) {
      const href = safeUrl(match[1]);
      if (href) {
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
      }
    } else {
      a.href = "tel:" + match[0].replace(/-/g, "");
    }
    parent.append(a);
    last = match.index + match[0].length;
  }
  if (last < text.length) parent.append(document.createTextNode(text.slice(last)));
  return parent;
}

// -- actions ------------------------------------------------------------------------------
function actionButton(action, className, onAction) {
  const button = el("button", className);
  button.type = "button";
  const label = (action && (action.label || action.text)) || "";
  if (action && action.type === "datetimepicker") {
    button.append(svg(action.mode === "time" ? ICONS.clock : ICONS.calendar, { className: "icon inline" }));
  } else if (action && action.type === "uri") {
    button.append(svg(ICONS.link, { className: "icon inline" }));
  }
  button.append(el("span", "label", label));
  button.addEventListener("click", () => onAction(action, button));
  return button;
}

function attachAction(node, action, onAction) {
  if (!action || typeof action !== "object") return;
  node.classList.add("tappable");
  node.tabIndex = 0;
  node.setAttribute("role", "button");
  node.addEventListener("click", (event) => {
    event.stopPropagation();
    onAction(action, node);
  });
}

// -- Flex ---------------------------------------------------------------------------------
function applyCommon(node, component, parentLayout, index, parentSpacing) {
  const margin = component.margin !== undefined ? spacing(component.margin) : index > 0 ? parentSpacing : null;
  if (margin && index >= 0) {
    if (parentLayout === "vertical") node.style.marginTop = margin;
    else node.style.marginLeft = margin;
  }
  if (parentLayout === "horizontal" || parentLayout === "baseline") {
    const rigid = ["icon", "separator", "spacer"].includes(component.type);
    const grow = component.flex !== undefined ? Number(component.flex) : rigid ? 0 : 1;
    node.style.flex = grow > 0 ? `${grow} ${grow} 0` : "0 0 auto";
    node.style.minWidth = "0";
  } else if (component.flex !== undefined && Number(component.flex) > 0) {
    node.style.flex = `${Number(component.flex)} ${Number(component.flex)} auto`;
  }
  if (component.position === "absolute") {
    node.style.position = "absolute";
    for (const [key, side] of [["offsetTop", "top"], ["offsetBottom", "bottom"], ["offsetStart", "left"], ["offsetEnd", "right"]]) {
      const v = spacing(component[key]);
      if (v) node.style[side] = v;
    }
  } else {
    for (const [key, side] of [["offsetTop", "top"], ["offsetBottom", "bottom"], ["offsetStart", "left"], ["offsetEnd", "right"]]) {
      const v = spacing(component[key]);
      if (v) {
        node.style.position = "relative";
        node.style[side] = v;
      }
    }
  }
  const align = { start: "flex-start", end: "flex-end", center: "center" }[component.gravity];
  if (align) node.style.alignSelf = align;
}

function flexText(component) {
  const node = el("div", "fx-text");
  if (Array.isArray(component.contents) && component.contents.length) {
    for (const span of component.contents) {
      if (!span || span.type !== "span") continue;
      const s = el("span", null, span.text || "");
      if (TEXT_SIZE[span.size]) s.style.fontSize = `${TEXT_SIZE[span.size]}px`;
      if (color(span.color)) s.style.color = span.color;
      if (WEIGHT[span.weight]) s.style.fontWeight = WEIGHT[span.weight];
      if (span.style === "italic") s.style.fontStyle = "italic";
      if (span.decoration === "underline" || span.decoration === "line-through") s.style.textDecoration = span.decoration;
      node.append(s);
    }
  } else {
    linkify(node, String(component.text ?? ""));
  }
  const size = TEXT_SIZE[component.size] || (typeof component.size === "string" && LENGTH.test(component.size) ? component.size : null);
  if (size) node.style.fontSize = typeof size === "number" ? `${size}px` : size;
  if (color(component.color)) node.style.color = component.color;
  if (WEIGHT[component.weight]) node.style.fontWeight = WEIGHT[component.weight];
  if (component.style === "italic") node.style.fontStyle = "italic";
  if (component.decoration === "underline" || component.decoration === "line-through") node.style.textDecoration = component.decoration;
  const align = { start: "left", end: "right", center: "center" }[component.align];
  if (align) node.style.textAlign = align;
  if (component.wrap) {
    node.classList.add("wrap");
    if (Number(component.maxLines) > 0) {
      node.classList.add("clamp");
      node.style.webkitLineClamp = String(Number(component.maxLines));
    }
  }
  const lineSpacing = spacing(component.lineSpacing);
  if (lineSpacing) node.style.lineHeight = `calc(1.4em + ${lineSpacing})`;
  return node;
}

function flexButton(component, onAction) {
  const style = ["primary", "secondary", "link"].includes(component.style) ? component.style : "link";
  const node = actionButton(component.action, `fx-button ${style} ${component.height === "sm" ? "sm" : "md"}`, onAction);
  const c = color(component.color);
  if (c) {
    if (style === "link") node.style.color = c;
    else node.style.backgroundColor = c;
  }
  return node;
}

function flexImage(component, onAction) {
  const wrap = el("div", "fx-image");
  const align = { start: "flex-start", end: "flex-end", center: "center" }[component.align] || "center";
  wrap.style.justifyContent = align;
  const frame = el("div", "frame");
  const width = length(component.size || "md", IMAGE_SIZE) || "100px";
  frame.style.width = width;
  const ratio = typeof component.aspectRatio === "string" ? component.aspectRatio.split(":").map(Number) : [1, 1];
  if (ratio.length === 2 && ratio[0] > 0 && ratio[1] > 0) frame.style.aspectRatio = `${ratio[0]} / ${ratio[1]}`;
  if (color(component.backgroundColor)) frame.style.backgroundColor = component.backgroundColor;
  const img = remoteImage(component.url);
  if (img) {
    img.loading = "lazy";
    img.style.objectFit = component.aspectMode === "cover" ? "cover" : "contain";
    frame.append(img);
  } else {
    frame.append(svg(ICONS.photo, { className: "icon placeholder" }));
  }
  wrap.append(frame);
  attachAction(wrap, component.action, onAction);
  return wrap;
}

function flexComponent(component, parentLayout, index, parentSpacing, onAction) {
  if (!component || typeof component !== "object") return null;
  let node;
  switch (component.type) {
    case "box":
      node = flexBox(component, onAction);
      break;
    case "text":
      node = flexText(component);
      attachAction(node, component.action, onAction);
      break;
    case "button":
      node = flexButton(component, onAction);
      break;
    case "separator": {
      node = el("div", "fx-separator");
      if (parentLayout !== "vertical") node.classList.add("vertical");
      if (color(component.color)) node.style.backgroundColor = component.color;
      break;
    }
    case "filler":
      node = el("div", "fx-filler");
      break;
    case "spacer": {
      node = el("div", "fx-spacer");
      const size = { xs: 2, sm: 4, md: 8, lg: 12, xl: 16, xxl: 20 }[component.size] ?? 8;
      node.style.height = `${size}px`;
      break;
    }
    case "image":
      node = flexImage(component, onAction);
      break;
    case "icon": {
      node = el("span", "fx-icon");
      const size = ICON_SIZE[component.size] || 16;
      node.style.width = `${size}px`;
      node.style.height = `${size}px`;
      const img = remoteImage(component.url);
      if (img) node.append(img);
      break;
    }
    case "video":
      node = el("div", "fx-placeholder", "［動画］");
      break;
    default:
      node = el("div", "fx-placeholder", `［未対応の要素: ${component.type}］`);
  }
  applyCommon(node, component, parentLayout, index, parentSpacing);
  return node;
}

function flexBox(box, onAction) {
  const layout = ["horizontal", "baseline", "vertical"].includes(box.layout) ? box.layout : "vertical";
  const node = el("div", `fx-box ${layout}`);
  const gap = spacing(box.spacing);
  (Array.isArray(box.contents) ? box.contents : []).forEach((child, i) => {
    const c = flexComponent(child, layout, i, gap, onAction);
    if (c) node.append(c);
  });
  if (color(box.backgroundColor)) node.style.backgroundColor = box.backgroundColor;
  if (color(box.borderColor)) node.style.borderColor = box.borderColor;
  const borderWidth = { none: "0", light: "0.5px", normal: "1px", medium: "2px", "semi-bold": "3px", bold: "4px" }[box.borderWidth] || (typeof box.borderWidth === "string" && LENGTH.test(box.borderWidth) ? box.borderWidth : null);
  if (borderWidth) {
    node.style.borderStyle = "solid";
    node.style.borderWidth = borderWidth;
  }
  const radius = length(box.cornerRadius, RADIUS);
  if (radius) node.style.borderRadius = radius;
  const padAll = spacing(box.paddingAll);
  if (padAll) node.style.padding = padAll;
  for (const [key, side] of [["paddingTop", "paddingTop"], ["paddingBottom", "paddingBottom"], ["paddingStart", "paddingLeft"], ["paddingEnd", "paddingRight"]]) {
    const v = spacing(box[key]);
    if (v) node.style[side] = v;
  }
  for (const key of ["width", "maxWidth", "height", "maxHeight"]) {
    if (typeof box[key] === "string" && LENGTH.test(box[key])) node.style[key] = box[key];
  }
  const justify = { "flex-start": "flex-start", "flex-end": "flex-end", center: "center", "space-between": "space-between", "space-around": "space-around", "space-evenly": "space-evenly" }[box.justifyContent];
  if (justify) node.style.justifyContent = justify;
  const alignItems = { "flex-start": "flex-start", "flex-end": "flex-end", center: "center" }[box.alignItems];
  if (alignItems) node.style.alignItems = alignItems;
  attachAction(node, box.action, onAction);
  return node;
}

function flexBubble(bubble, onAction) {
  const node = el("div", "fx-bubble");
  const width = BUBBLE_WIDTH[bubble.size] || BUBBLE_WIDTH.mega;
  node.style.width = `min(${width}px, 100%)`;
  const styles = bubble.styles || {};
  for (const part of ["header", "hero", "body", "footer"]) {
    const block = bubble[part];
    if (!block) continue;
    const style = styles[part] || {};
    if (style.separator && part !== "header") {
      const line = el("div", "fx-separator block");
      if (color(style.separatorColor)) line.style.backgroundColor = style.separatorColor;
      node.append(line);
    }
    const section = el("div", `fx-block ${part}`);
    if (color(style.backgroundColor)) section.style.backgroundColor = style.backgroundColor;
    const content = block.type === "box" ? flexBox(block, onAction) : flexComponent(block, "vertical", -1, null, onAction);
    if (content) section.append(content);
    node.append(section);
  }
  attachAction(node, bubble.action, onAction);
  return node;
}

export function renderFlex(contents, onAction) {
  if (contents && contents.type === "carousel") {
    const row = el("div", "carousel");
    for (const bubble of contents.contents || []) row.append(flexBubble(bubble, onAction));
    return row;
  }
  return flexBubble(contents || {}, onAction);
}

// -- templates ----------------------------------------------------------------------------
function templateColumn(column, onAction, { withThumb = true } = {}) {
  const card = el("div", "tpl-card");
  const img = withThumb ? remoteImage(column.thumbnailImageUrl) : null;
  if (img) {
    const frame = el("div", `tpl-thumb ${column.imageAspectRatio === "square" ? "square" : ""}`);
    img.style.objectFit = column.imageSize === "contain" ? "contain" : "cover";
    if (color(column.imageBackgroundColor)) frame.style.backgroundColor = column.imageBackgroundColor;
    frame.append(img);
    card.append(frame);
  }
  const text = el("div", "tpl-text");
  if (column.title) text.append(el("div", "tpl-title", column.title));
  if (column.text) text.append(linkify(el("div", "tpl-body"), String(column.text)));
  card.append(text);
  attachAction(text, column.defaultAction, onAction);
  const actions = el("div", "tpl-actions");
  for (const action of column.actions || []) actions.append(actionButton(action, "tpl-action", onAction));
  card.append(actions);
  return card;
}

export function renderTemplate(message, onAction) {
  const template = message.template || {};
  switch (template.type) {
    case "buttons":
      return templateColumn(template, onAction);
    case "confirm": {
      const card = el("div", "tpl-card confirm");
      card.append(linkify(el("div", "tpl-text tpl-body"), String(template.text || "")));
      const actions = el("div", "tpl-actions row");
      for (const action of template.actions || []) actions.append(actionButton(action, "tpl-action", onAction));
      card.append(actions);
      return card;
    }
    case "carousel": {
      const row = el("div", "carousel");
      for (const column of template.columns || []) row.append(templateColumn(column, onAction));
      return row;
    }
    case "image_carousel": {
      const row = el("div", "carousel");
      for (const column of template.columns || []) {
        const card = el("div", "tpl-card image-column");
        const frame = el("div", "tpl-thumb square");
        const img = remoteImage(column.imageUrl);
        if (img) {
          frame.append(img);
        } else {
          frame.append(svg(ICONS.photo, { className: "icon placeholder" }));
        }
        card.append(frame);
        if (column.action) card.append(actionButton(column.action, "tpl-action", onAction));
        row.append(card);
      }
      return row;
    }
    default:
      return el("div", "bubble text", message.altText || "［テンプレートメッセージ］");
  }
}

// -- one message ------------------------------------------------------------------------
function placeholderCard(icon, label, detail) {
  const card = el("div", "media-card");
  card.append(svg(icon, { className: "icon big" }));
  const words = el("div", "media-words");
  words.append(el("div", "media-label", label));
  if (detail) words.append(el("div", "media-detail", detail));
  card.append(words);
  return card;
}

function textV2(message) {
  // {name} placeholders: mentions become "@…", emojis a small marker.
  const substitution = message.substitution || {};
  return String(message.text || "").replace(/\{([a-zA-Z0-9_]{1,20})\}/g, (whole, key) => {
    const item = substitution[key];
    if (!item) return whole;
    if (item.type === "mention") return item.mentionee && item.mentionee.type === "all" ? "@All" : "@利用者";
    if (item.type === "emoji") return "◆";
    return whole;
  });
}

/** The DOM for one LINE message object (what sits beside the avatar). */
export function renderMessage(message, onAction) {
  switch (message && message.type) {
    case "text":
      return linkify(el("div", "bubble text"), String(message.text ?? ""));
    case "textV2":
      return linkify(el("div", "bubble text"), textV2(message));
    case "flex": {
      const holder = el("div", "flex-message");
      holder.append(renderFlex(message.contents, onAction));
      holder.title = message.altText || "";
      return holder;
    }
    case "template":
      return renderTemplate(message, onAction);
    case "sticker": {
      const node = el("div", "sticker");
      node.append(stickerArt());
      node.title = `sticker ${message.packageId}/${message.stickerId}`;
      return node;
    }
    case "image": {
      const img = remoteImage(message.previewImageUrl, { className: "photo", alt: "画像" });
      if (img) return img;
      return placeholderCard(ICONS.photo, "画像", null);
    }
    case "location":
      return placeholderCard(ICONS.pin, message.title || "位置情報", message.address || "");
    case "video":
      return placeholderCard(ICONS.photo, "動画", null);
    case "audio":
      return placeholderCard(ICONS.clock, "音声", message.duration ? `${Math.round(message.duration / 1000)}秒` : null);
    case "imagemap":
      return placeholderCard(ICONS.photo, "イメージマップ", message.altText || "");
    default:
      return el("div", "bubble text unknown", `［未対応のメッセージ: ${message && message.type}］`);
  }
}

export function isCard(message) {
  return message && (message.type === "flex" || message.type === "template" || message.type === "sticker" || message.type === "image");
}
