"use strict";
// The step-through page's script. Every sentence and every number's place comes with the page (the
// JSON in #steps): each step's text is a template whose numbers are filled in from state.numbers, the
// engine's recorded numbers, or, after a reader changes a given number, the numbers the graph's
// generated function (graph(), from autograd.replay.javascript) computes. This script computes no
// derivative: it writes numbers, replays the steps, and moves and zooms the drawings. The gradient-descent
// step (p - a * gradient) and the chain rule's products and sums that the lines show are plain arithmetic.
(function () {
  const data = JSON.parse(document.getElementById("steps").textContent);
  const steps = data.steps;
  const words = data.text;
  const byId = (id) => document.getElementById(id);
  const MARGIN = 16; // pixels between a drawing and its panel's edge when it is fitted
  const MOST_FIT = 1.75; // fitting never magnifies a small drawing more than this
  const ZOOM_RANGE = [0.05, 8];
  const say = (key, values) => words[key].replace(/\{(\w+)\}/g, (_, name) => String(values[name]));

  // --- numbers, written as Python's format(x, ".12g") writes them ---------------------------------
  function written(x, digits) {
    if (x === null || x === undefined) return "·";
    if (Number.isNaN(x)) return "nan";
    if (x === Infinity) return "inf";
    if (x === -Infinity) return "-inf";
    const sign = x < 0 || Object.is(x, -0) ? "-" : "";
    const [mantissa, exponent] = Math.abs(x).toExponential(digits - 1).split("e");
    const e = Number(exponent);
    const figures = mantissa.replace(".", "");
    if (e >= -4 && e < digits) {
      const whole = e >= 0 ? figures.slice(0, e + 1) : "0";
      const fraction = (e >= 0 ? figures.slice(e + 1) : "0".repeat(-e - 1) + figures).replace(/0+$/, "");
      return sign + whole + (fraction ? "." + fraction : "");
    }
    const short = mantissa.includes(".") ? mantissa.replace(/0+$/, "").replace(/\.$/, "") : mantissa;
    return sign + short + "e" + (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0");
  }
  const special = { nan: NaN, inf: Infinity, "-inf": -Infinity };
  const decoded = (x) => (typeof x === "string" ? special[x] : x);
  const recorded = {};
  for (const [kind, values] of Object.entries(data.numbers)) {
    recorded[kind] = Array.isArray(values) ? values.map(decoded) : values;
  }

  // --- the page's state: one object --------------------------------------------------------------------
  const state = {
    position: 0, // the step shown
    numbers: recorded, // what the templates are filled in with
    leaves: data.leaves.map((node) => recorded.v[node]), // the given numbers, in data.leaves' order
    rate: recorded.r[0],
    timer: null,
    history: [], // training: one entry per step taken
    trainer: null,
    quiz: { asked: 0, right: 0, answered: new Map() },
  };
  const cache = new Map(); // step index -> its texts, for state.numbers

  function segment(parts) {
    let text = "";
    for (const part of parts) {
      if (typeof part === "string") {
        text += part;
        continue;
      }
      const [kind, index, digits, wrap] = part;
      const shown = written(state.numbers[kind][index], digits);
      text += wrap && shown.startsWith("-") ? "(" + shown + ")" : shown;
    }
    return text;
  }
  function line(chains) {
    return chains
      .map((chain) => {
        const texts = chain.map(segment);
        return texts.filter((text, k) => k === 0 || text !== texts[k - 1]).join(" = ");
      })
      .join("; ");
  }
  function stepTexts(k) {
    if (!cache.has(k)) {
      const step = steps[k];
      const failed = step.phase === "result" && state.numbers.failure;
      cache.set(k, { lines: failed ? [] : step.lines.map(line), note: failed ? state.numbers.failure : step.note });
    }
    return cache.get(k);
  }
  function shownText(id, parts) {
    // What a step sets a text of the drawings or the table to, for state.numbers.
    return id === "result" && state.numbers.failure ? state.numbers.failure : segment(parts);
  }

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
      const step = steps[state.position];
      const here = (id) => {
        const element = byId(id);
        const shape = element && (element.classList.contains("node") || element.classList.contains("edge"));
        return shape && scene.contains(element) ? element : null;
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
  for (const [id, caption] of data.captions) {
    // A gradient the article names (δ): its caption says so.
    const texts = byId(id).querySelectorAll("text");
    if (texts.length >= 2) texts[texts.length - 2].textContent = caption;
  }
  for (const other of data.views || []) {
    for (const [element, index, id, text] of other.slots) name(byId(element), index, id, text);
  }
  for (const element of document.querySelectorAll("[data-blank]")) initial.set(element.id, "");
  const graphIds = Array.from(byId("scene").querySelectorAll("g.node, g.edge"), (item) => item.id);

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

  function renderDrawings() {
    // Replay steps 0..position from the blank start: "previous" is as exact as "next".
    const seen = new Set();
    const text = new Map(initial);
    const hidden = quiz.covers(state.position); // a question open: this step's numbers wait for the answer
    const last = new Map(); // each text's last template up to this step: only those are written
    for (let k = 0; k <= state.position; k++) {
      for (const id of steps[k].show || []) seen.add(id);
      if (k === state.position && hidden) continue;
      for (const [id, parts] of steps[k].set || []) last.set(id, parts);
    }
    for (const [id, parts] of last) text.set(id, shownText(id, parts));
    const step = steps[state.position];
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
    shown.reveal();
  }

  function renderStep() {
    const step = steps[state.position];
    const texts = stepTexts(state.position);
    const last = steps.length - 1;
    byId("phase").textContent = words["phase_" + step.phase];
    byId("phase").className = step.phase;
    byId("counter").textContent = say("counter", { position: state.position, last });
    byId("title").textContent = step.title;
    const quizzing = quiz.covers(state.position);
    byId("lines").replaceChildren(
      ...(quizzing ? [] : texts.lines).map((text) => {
        const div = document.createElement("div");
        div.textContent = text;
        return div;
      }),
    );
    byId("lines").className = step.phase === "start" ? "given" : "";
    byId("note").textContent = quizzing ? words.quiz_reveal : texts.note;
    quiz.render(quizzing);
    byId("progress").firstElementChild.style.width = (100 * state.position) / Math.max(1, last) + "%";
    byId("prev").disabled = byId("reset").disabled = state.position === 0;
    byId("next").disabled = state.position === last;
    if (state.position === last) pause();
  }

  function render() {
    renderStep();
    renderDrawings();
    renderTable();
  }

  function go(to) {
    state.position = Math.max(0, Math.min(steps.length - 1, to));
    render();
  }
  const interval = () => 3600 / Number(byId("speed").value); // ms per step: 900 at the middle speed
  function play() {
    if (state.position === steps.length - 1) go(0);
    byId("play").textContent = words.pause;
    state.timer = setInterval(() => go(state.position + 1), interval());
  }
  function pause() {
    if (state.timer !== null) clearInterval(state.timer);
    state.timer = null;
    byId("play").textContent = words.play;
  }
  byId("speed").addEventListener("input", () => {
    if (state.timer !== null) {
      pause();
      play();
    }
  });
  byId("next").addEventListener("click", () => { pause(); go(state.position + 1); });
  byId("prev").addEventListener("click", () => { pause(); go(state.position - 1); });
  byId("reset").addEventListener("click", () => { pause(); go(0); });
  byId("play").addEventListener("click", () => (state.timer === null ? play() : pause()));
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target instanceof HTMLInputElement) return; // typing a number is not a key command
    const key = event.key;
    const nudge = 80;
    if (event.shiftKey && key.startsWith("Arrow")) {
      const move = { ArrowLeft: [nudge, 0], ArrowRight: [-nudge, 0], ArrowUp: [0, nudge], ArrowDown: [0, -nudge] };
      shown.panBy(...move[key]);
    } else if (key === "ArrowRight") { pause(); go(state.position + 1); }
    else if (key === "ArrowLeft") { pause(); go(state.position - 1); }
    else if (key === "Home") { pause(); go(0); }
    else if (key === "End") { pause(); go(steps.length - 1); }
    else if (key === " ") { state.timer === null ? play() : pause(); }
    else if (key === "+" || key === "=") shown.zoomBy(1.25);
    else if (key === "-" || key === "_") shown.zoomBy(0.8);
    else if (key === "f" || key === "F" || key === "0") shown.fit();
    else if ((key === "v" || key === "V") && drawings.length > 1) showDrawing((drawings.indexOf(shown) + 1) % drawings.length);
    else return;
    event.preventDefault();
  });

  // --- changing the given numbers: everything recomputed by the graph's generated function ----------
  const editable = typeof graph === "function";
  const fields = data.leaves.map((_, k) => byId("leaf" + k));
  const rateField = byId("rate");

  function computed(leaves, rate) {
    // The numbers every template reads, for these leaves: graph() gives each node's value and
    // gradient and each edge's local derivative; the lines' products and sums, the update and the
    // new prediction follow by plain arithmetic (and graph() again, at the updated parameters).
    const first = graph(leaves);
    const count = data.edges.length;
    const c = new Array(count);
    const t = new Array(count);
    const b = new Array(count);
    const totals = new Map();
    data.edges.forEach(([node, parent], k) => {
      c[k] = first.locals[k] * first.grads[node];
      b[k] = totals.has(parent) ? totals.get(parent) : null;
      t[k] = b[k] === null ? c[k] : b[k] + c[k];
      totals.set(parent, t[k]);
    });
    for (const [parent, total] of totals) {
      if (!Object.is(total, first.grads[parent]) && !(Number.isNaN(total) && Number.isNaN(first.grads[parent]))) {
        console.error("the lines' sums and graph()'s gradient disagree at node " + parent);
      }
    }
    const u = first.values.map(() => null);
    let n = first.values.map(() => null);
    let failure = null;
    if (rate !== null && rate !== undefined) {
      const next = leaves.slice();
      for (const node of data.parameters) {
        u[node] = first.values[node] - rate * first.grads[node];
        next[data.leaves.indexOf(node)] = u[node];
      }
      try {
        n = graph(next).values;
      } catch (error) {
        failure = say("failure", { message: error.message });
      }
    }
    return { v: first.values, g: first.grads, l: first.locals, c, t, b, u, n, r: [rate], failure };
  }

  function use(numbers, leaves, rate) {
    state.numbers = numbers;
    state.leaves = leaves;
    state.rate = rate;
    cache.clear();
    quiz.forget();
    render();
  }

  function parsed(text) {
    // A number as a reader types one (2, -0.5, .5, 1e-3); anything else is refused where it was typed.
    const trimmed = text.trim();
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) {
      return { error: say("not_a_number", { text: JSON.stringify(text) }) };
    }
    const value = Number(trimmed);
    return Number.isFinite(value) ? { value } : { error: say("not_finite", { text: trimmed }) };
  }
  function message(text) {
    byId("edit-message").textContent = text;
  }
  function changed(field, k) {
    const reading = parsed(field.value);
    if (reading.error) {
      field.setAttribute("aria-invalid", "true");
      message(reading.error);
      return;
    }
    const leaves = state.leaves.slice();
    let rate = state.rate;
    if (k === null) rate = reading.value;
    else leaves[k] = reading.value;
    let numbers;
    try {
      numbers = computed(leaves, rate);
    } catch (error) {
      // Out of an operation's domain: the engine's own message, and nothing else changes.
      field.setAttribute("aria-invalid", "true");
      message(say("edit_failed", { message: error.message }));
      return;
    }
    field.removeAttribute("aria-invalid");
    field.classList.add("edited");
    message("");
    byId("recorded").hidden = false;
    use(numbers, leaves, rate);
  }
  if (editable) {
    fields.forEach((field, k) => field.addEventListener("input", () => changed(field, k)));
    if (rateField) rateField.addEventListener("input", () => changed(rateField, null));
  }
  function showFields() {
    fields.forEach((field, k) => {
      if (document.activeElement !== field) field.value = written(state.leaves[k], 12);
    });
    if (rateField && document.activeElement !== rateField) rateField.value = written(state.rate, 12);
  }
  byId("recorded").addEventListener("click", () => {
    stopTraining();
    state.history = [];
    for (const field of [...fields, rateField].filter(Boolean)) {
      field.removeAttribute("aria-invalid");
      field.classList.remove("edited");
    }
    message("");
    byId("recorded").hidden = true;
    use(recorded, data.leaves.map((node) => recorded.v[node]), recorded.r[0]);
    showFields();
  });

  function renderTable() {
    // The table's value fields show the page's numbers (after Step, the trained ones).
    showFields();
    renderTraining();
  }

  // --- keep training: more steps of gradient descent, the loss after each ---------------------------
  const trainStatus = byId("train-status");
  function trainOnce() {
    const numbers = state.numbers;
    if (numbers.failure || state.rate === null) return false;
    const leaves = state.leaves.slice();
    for (const node of data.parameters) leaves[data.leaves.indexOf(node)] = numbers.u[node];
    let next;
    try {
      next = computed(leaves, state.rate);
    } catch (error) {
      message(say("edit_failed", { message: error.message }));
      return false;
    }
    if (!state.history.length) state.history.push(snapshot(numbers, state.leaves));
    state.history.push(snapshot(next, leaves));
    byId("recorded").hidden = false;
    use(next, leaves, state.rate);
    return true;
  }
  function snapshot(numbers, leaves) {
    return {
      loss: numbers.v[data.root],
      weights: data.parameters.map((node) => [leaves[data.leaves.indexOf(node)], numbers.g[node]]),
    };
  }
  function stopTraining() {
    if (state.trainer !== null) clearInterval(state.trainer);
    state.trainer = null;
    if (byId("train")) byId("train").textContent = words.train;
  }
  function renderTraining() {
    const curve = byId("loss-curve");
    if (!curve) return;
    const history = state.history;
    const steps = Math.max(0, history.length - 1);
    trainStatus.textContent = steps
      ? say("loss_after", { steps, loss: rootName, value: written(history[steps].loss, 12) })
      : "";
    const losses = history.map((h) => h.loss).filter(Number.isFinite);
    if (!losses.length) {
      curve.replaceChildren();
      return;
    }
    const low = Math.min(...losses);
    const high = Math.max(...losses);
    const x = (k) => (300 * k) / Math.max(1, history.length - 1);
    const y = (loss) => 110 - (100 * (loss - low)) / (high - low || 1);
    const svg = "http://www.w3.org/2000/svg";
    const polyline = document.createElementNS(svg, "polyline");
    polyline.setAttribute("points", history.map((h, k) => `${x(k)},${y(h.loss)}`).join(" "));
    const points = history.map((h, k) => {
      const dot = document.createElementNS(svg, "circle");
      dot.setAttribute("cx", x(k));
      dot.setAttribute("cy", y(h.loss));
      dot.setAttribute("r", 3);
      dot.setAttribute("fill", "transparent");
      const title = document.createElementNS(svg, "title");
      title.textContent =
        `${k}: ${rootName} = ${written(h.loss, 12)}\n` +
        h.weights.map(([w, g], j) => `${parameterNames[j]} = ${written(w, 12)} (∂ ${written(g, 12)})`).join("\n");
      dot.append(title);
      return dot;
    });
    curve.replaceChildren(polyline, ...points);
  }
  const rootName = data.rootName;
  const parameterNames = data.parameterNames;
  if (byId("train-step")) {
    byId("train-step").addEventListener("click", () => { stopTraining(); trainOnce(); });
    byId("train").addEventListener("click", () => {
      if (state.trainer !== null) return stopTraining();
      byId("train").textContent = words.stop;
      const every = () => 1000 / Number(byId("train-speed").value);
      const tick = () => {
        if (!trainOnce()) stopTraining();
      };
      state.trainer = setInterval(tick, every());
      byId("train-speed").oninput = () => {
        if (state.trainer === null) return;
        clearInterval(state.trainer);
        state.trainer = setInterval(tick, every());
      };
    });
  }

  // --- the quiz: type the next number before the page shows it ------------------------------------
  const quiz = {
    on: Boolean(data.quiz),
    questions: steps.filter((step) => step.ask).length,
    covers(k) {
      // At a step that asks, while its question is open, the step's numbers stay hidden.
      return this.on && Boolean(steps[k].ask) && !state.quiz.answered.has(k);
    },
    forget() {
      state.quiz = { asked: 0, right: 0, answered: new Map() };
    },
    check(answer) {
      const [kind, index] = steps[state.position].ask;
      const truth = state.numbers[kind][index];
      const reading = parsed(answer);
      if (reading.error) return reading.error;
      // Right to 3 significant digits: the same number written with 3, or within half a unit of the third.
      const unit = truth === 0 ? 5e-4 : 0.5 * 10 ** (Math.floor(Math.log10(Math.abs(truth))) - 2);
      const right = written(reading.value, 3) === written(truth, 3) || Math.abs(reading.value - truth) <= unit;
      state.quiz.answered.set(state.position, right);
      state.quiz.asked += 1;
      if (right) state.quiz.right += 1;
      render();
      return "";
    },
    render(quizzing) {
      const box = byId("quiz");
      if (!this.on) return;
      const step = steps[state.position];
      const parts = [];
      if (quizzing) {
        const [, , name, question] = step.ask;
        const label = document.createElement("label");
        label.textContent = say(question, { name });
        const input = document.createElement("input");
        input.id = "quiz-answer";
        input.setAttribute("aria-label", words.quiz_answer);
        input.inputMode = "decimal";
        const button = document.createElement("button");
        button.type = "button";
        button.id = "quiz-check";
        button.textContent = words.quiz_check;
        const problem = document.createElement("span");
        problem.className = "verdict wrong";
        const submit = () => (problem.textContent = this.check(input.value));
        button.addEventListener("click", submit);
        input.addEventListener("keydown", (event) => event.key === "Enter" && submit());
        parts.push(label, input, button, problem);
      } else if (step.ask && state.quiz.answered.has(state.position)) {
        const right = state.quiz.answered.get(state.position);
        const [kind, index] = step.ask;
        const verdict = document.createElement("span");
        verdict.id = "quiz-verdict";
        verdict.className = "verdict " + (right ? "right" : "wrong");
        verdict.textContent = say(right ? "quiz_right" : "quiz_wrong", { value: written(state.numbers[kind][index], 12) });
        parts.push(verdict);
      }
      const score = document.createElement("span");
      score.id = "score";
      score.textContent = say("quiz_score", { right: state.quiz.right, asked: state.quiz.asked, questions: this.questions });
      parts.push(score);
      box.hidden = false;
      box.replaceChildren(...parts);
    },
  };

  render();
  drawings.forEach((d) => d.fit());
  window.stepthrough = { state, written, computed, go, trainOnce }; // for the tests and the curious
})();
