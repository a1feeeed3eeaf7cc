"use strict";
// The step-through page's script. It computes nothing: every number and sentence comes with the
// page (the JSON in #steps); this replays the steps, and moves and zooms the drawings.
(function () {
  const data = JSON.parse(document.getElementById("steps").textContent);
  const steps = data.steps;
  const byId = (id) => document.getElementById(id);
  const MARGIN = 16; // pixels between a drawing and its panel's edge when it is fitted
  const MOST_FIT = 1.75; // fitting never magnifies a small drawing more than this
  const ZOOM_RANGE = [0.05, 8];

  // --- a drawing in its panel: its scale and offset, in CSS pixels -----------------------------------
  function drawing(panel, scene, [drawingWidth, drawingHeight]) {
    const fonts = Array.from(scene.querySelectorAll("g.node text, g.edge text"), (t) =>
      parseFloat(t.getAttribute("font-size")),
    );
    // The smallest scale at which the drawing's smallest text is data.legible pixels high.
    const legible = data.legible / Math.min(14, ...fonts.filter((size) => size > 0));
    const view = { scale: legible, x: MARGIN, y: MARGIN, moved: false };
    const show = () => scene.setAttribute("transform", `translate(${view.x} ${view.y}) scale(${view.scale})`);
    function keepOnScreen() {
      // The drawing may be moved until MARGIN pixels from the panel's far edge, no further.
      const limit = (offset, size, room) => {
        const low = Math.min(MARGIN, room - size - MARGIN);
        const high = Math.max(MARGIN, room - size - MARGIN);
        return Math.min(high, Math.max(low, offset));
      };
      view.x = limit(view.x, drawingWidth * view.scale, panel.clientWidth);
      view.y = limit(view.y, drawingHeight * view.scale, panel.clientHeight);
      show();
    }
    function zoomBy(factor, atX, atY) {
      const x = atX === undefined ? panel.clientWidth / 2 : atX;
      const y = atY === undefined ? panel.clientHeight / 2 : atY;
      const scale = Math.min(ZOOM_RANGE[1], Math.max(ZOOM_RANGE[0], view.scale * factor));
      view.x = x - ((x - view.x) * scale) / view.scale;
      view.y = y - ((y - view.y) * scale) / view.scale;
      view.scale = scale;
      view.moved = true;
      keepOnScreen();
    }
    function panBy(dx, dy) {
      view.x += dx;
      view.y += dy;
      view.moved = true;
      keepOnScreen();
    }
    function fit() {
      // The whole drawing if its text stays legible; otherwise the legible scale, from its start.
      const width = panel.clientWidth;
      const height = panel.clientHeight;
      if (!width || !height) return;
      const whole = Math.min((width - 2 * MARGIN) / drawingWidth, (height - 2 * MARGIN) / drawingHeight);
      view.scale = Math.max(legible, Math.min(whole, MOST_FIT));
      const place = (size, room) => (size <= room - 2 * MARGIN ? (room - size) / 2 : MARGIN);
      view.x = place(drawingWidth * view.scale, width);
      view.y = place(drawingHeight * view.scale, height);
      view.moved = false;
      keepOnScreen();
      reveal();
    }
    function box(elements) {
      const frame = panel.getBoundingClientRect();
      const rects = elements.map((element) => element.getBoundingClientRect());
      return {
        left: Math.min(...rects.map((r) => r.left)) - frame.left,
        right: Math.max(...rects.map((r) => r.right)) - frame.left,
        top: Math.min(...rects.map((r) => r.top)) - frame.top,
        bottom: Math.max(...rects.map((r) => r.bottom)) - frame.top,
      };
    }
    function reveal() {
      // Keep the current node (and, when they fit too, the nodes it passes its gradient to) in view:
      // along an axis where they are out of view, centre them.
      if (panel.hidden) return;
      const step = steps[position];
      const here = (id) => {
        const element = byId(id);
        return element && scene.contains(element) && element.classList.contains("node") ? element : null;
      };
      const focus = (step.focus || []).map(here).filter(Boolean);
      if (!focus.length) return;
      const near = focus.concat((step.flow || []).map(here).filter(Boolean));
      const pad = 24;
      const roomX = panel.clientWidth - 2 * pad;
      const roomY = panel.clientHeight - 2 * pad;
      let target = box(near);
      if (target.right - target.left > roomX || target.bottom - target.top > roomY) target = box(focus);
      const shift = (low, high, room) => (low >= pad && high <= pad + room ? 0 : pad + room / 2 - (low + high) / 2);
      const dx = shift(target.left, target.right, roomX);
      const dy = shift(target.top, target.bottom, roomY);
      if (dx || dy) {
        view.x += dx;
        view.y += dy;
        keepOnScreen();
      }
    }

    let drag = null;
    panel.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      drag = { x: event.clientX, y: event.clientY, pointer: event.pointerId };
      panel.setPointerCapture(event.pointerId);
      panel.classList.add("dragging");
    });
    panel.addEventListener("pointermove", (event) => {
      if (!drag || event.pointerId !== drag.pointer) return;
      panBy(event.clientX - drag.x, event.clientY - drag.y);
      drag.x = event.clientX;
      drag.y = event.clientY;
    });
    const endDrag = (event) => {
      if (drag && event.pointerId === drag.pointer) {
        drag = null;
        panel.classList.remove("dragging");
      }
    };
    panel.addEventListener("pointerup", endDrag);
    panel.addEventListener("pointercancel", endDrag);
    const embedded = window.parent !== window;
    panel.addEventListener(
      "wheel",
      (event) => {
        // Inside a notebook the wheel scrolls the notebook until the page has been clicked.
        if (embedded && !document.hasFocus() && !event.ctrlKey) return;
        event.preventDefault();
        const frame = panel.getBoundingClientRect();
        const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
        zoomBy(Math.exp(-delta * 0.0015), event.clientX - frame.left, event.clientY - frame.top);
      },
      { passive: false },
    );
    new ResizeObserver(() => (view.moved ? keepOnScreen() : fit())).observe(panel);
    return { panel, zoomBy, panBy, fit, reveal };
  }

  // The computation graph, and any other drawing of the same steps (an nn model's network): one shows.
  const drawings = [drawing(byId("graph"), byId("scene"), data.size)];
  for (const other of data.views || []) {
    drawings.push(drawing(byId("view-" + other.name), byId("scene-" + other.name), other.size));
  }
  let shown = drawings[0];
  function showDrawing(index) {
    shown = drawings[index];
    drawings.forEach((d, k) => {
      d.panel.hidden = k !== index;
      const button = byId("show-" + k);
      if (button) button.setAttribute("aria-pressed", String(k === index));
    });
    byId("legend").hidden = index !== 0; // the key is the computation graph's
    shown.reveal();
  }
  drawings.forEach((_, k) => {
    const button = byId("show-" + k);
    if (button) button.addEventListener("click", () => showDrawing(k));
  });
  byId("zoom-in").addEventListener("click", () => shown.zoomBy(1.25));
  byId("zoom-out").addEventListener("click", () => shown.zoomBy(0.8));
  byId("fit").addEventListener("click", () => shown.fit());

  // --- the steps ------------------------------------------------------------------------------------
  // Name the texts the steps change. Each value box shows ... "data" <number> "grad" <number>; each
  // operation <∂ local 0> <symbol> [<∂ local 1>]; other drawings list theirs (data.views' slots).
  const initial = new Map();
  function name(element, index, id, text) {
    const texts = element.querySelectorAll("text");
    const k = index < 0 ? texts.length + index : index;
    if (k < 0 || k >= texts.length) return;
    texts[k].id = id;
    initial.set(id, text);
    const circle = element.querySelector(":scope > ellipse");
    if (circle) {
      // In a circle (a neuron), keep the number centred whatever its length.
      texts[k].setAttribute("x", circle.getAttribute("cx"));
      texts[k].setAttribute("text-anchor", "middle");
    }
  }
  for (const id of data.values) {
    name(byId(id), -3, id + "-data", "·");
    name(byId(id), -1, id + "-grad", "·");
    const operation = byId(id + "_op");
    if (operation) {
      name(operation, 0, id + "-local0", "∂ ·");
      name(operation, 2, id + "-local1", "∂ ·");
    }
  }
  for (const other of data.views || []) {
    for (const [element, index, id, text] of other.slots) name(byId(element), index, id, text);
  }
  for (const element of document.querySelectorAll("[data-blank]")) initial.set(element.id, "");
  const graphIds = Array.from(byId("scene").querySelectorAll("g.node, g.edge"), (item) => item.id);
  let position = 0;
  let timer = null;

  // What the drawings show now, so that a step touches only what it changes (a graph of a thousand
  // values has several thousand texts and shapes; rewriting them all makes every step slow).
  const elements = new Map();
  const element = (id) => {
    if (!elements.has(id)) elements.set(id, byId(id));
    return elements.get(id);
  };
  const showing = new Map(); // text id -> the text it shows
  const marked = { pending: new Set(), current: new Set(), flow: new Set(), changed: new Set() };
  function mark(name, ids) {
    for (const id of marked[name]) if (!ids.has(id)) element(id).classList.remove(name);
    for (const id of ids) if (!marked[name].has(id)) element(id).classList.add(name);
    marked[name] = ids;
  }

  function render() {
    // Replay steps 0..position from the blank start: "previous" is as exact as "next".
    const seen = new Set();
    const text = new Map(initial);
    for (let k = 0; k <= position; k++) {
      for (const id of steps[k].show || []) seen.add(id);
      for (const [id, value] of steps[k].set || []) text.set(id, value);
    }
    const step = steps[position];
    const fade = new Set(step.fade || []);
    mark("pending", new Set(graphIds.filter((id) => !seen.has(id) || fade.has(id))));
    mark("current", new Set(step.focus || []));
    mark("flow", new Set(step.flow || []));
    for (const [id, value] of text) {
      if (showing.get(id) === value) continue;
      element(id).textContent = value;
      showing.set(id, value);
    }
    const highlight = step.phase !== "result" && step.phase !== "start";
    mark("changed", new Set(highlight ? (step.set || []).map(([id]) => id) : []));
    byId("phase").textContent = step.phase;
    byId("phase").className = step.phase;
    byId("counter").textContent = "step " + position + " of " + (steps.length - 1);
    byId("title").textContent = step.title;
    byId("lines").replaceChildren(
      ...step.lines.map((line) => {
        const div = document.createElement("div");
        div.textContent = line;
        return div;
      }),
    );
    byId("note").textContent = step.note;
    byId("progress").firstElementChild.style.width = (100 * position) / Math.max(1, steps.length - 1) + "%";
    byId("prev").disabled = byId("reset").disabled = position === 0;
    byId("next").disabled = position === steps.length - 1;
    if (position === steps.length - 1) pause();
    shown.reveal();
  }

  function go(to) {
    position = Math.max(0, Math.min(steps.length - 1, to));
    render();
  }
  function play() {
    if (position === steps.length - 1) go(0);
    byId("play").textContent = "Pause";
    timer = setInterval(() => go(position + 1), 900);
  }
  function pause() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    byId("play").textContent = "Play ▶";
  }
  byId("next").addEventListener("click", () => { pause(); go(position + 1); });
  byId("prev").addEventListener("click", () => { pause(); go(position - 1); });
  byId("reset").addEventListener("click", () => { pause(); go(0); });
  byId("play").addEventListener("click", () => (timer === null ? play() : pause()));
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const key = event.key;
    const nudge = 80;
    if (event.shiftKey && key.startsWith("Arrow")) {
      const move = { ArrowLeft: [nudge, 0], ArrowRight: [-nudge, 0], ArrowUp: [0, nudge], ArrowDown: [0, -nudge] };
      shown.panBy(...move[key]);
    } else if (key === "ArrowRight") { pause(); go(position + 1); }
    else if (key === "ArrowLeft") { pause(); go(position - 1); }
    else if (key === "Home") { pause(); go(0); }
    else if (key === "End") { pause(); go(steps.length - 1); }
    else if (key === " ") { timer === null ? play() : pause(); }
    else if (key === "+" || key === "=") shown.zoomBy(1.25);
    else if (key === "-" || key === "_") shown.zoomBy(0.8);
    else if (key === "f" || key === "F" || key === "0") shown.fit();
    else if ((key === "v" || key === "V") && drawings.length > 1) showDrawing((drawings.indexOf(shown) + 1) % drawings.length);
    else return;
    event.preventDefault();
  });
  render();
  drawings.forEach((d) => d.fit());
})();
