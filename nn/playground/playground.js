// The playground's script. Every number of the model comes from the engine's JavaScript twin (`twin`, above:
// the operation table's rows, generated, and the engine's one sweep): the page builds nn.MLP's graph for any
// layer sizes, each batch's loss as nn.fit builds it, and runs the twin's backward() on it. Here: the model's
// shape, the training loop (nn.fit's batches, nn.SGD's step), the drawing, the controls. State is one object;
// each view has one render function.
"use strict";

const GRID = 40;  // heatmap cells per side
const FRAME_MS = 25;  // training time per animation frame while playing
const LEARNING_RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3];
const BATCH_SIZES = [1, 5, 10, 20, 50];
const SPEEDS = {"1": "1 epoch a frame", "10": "10 epochs a frame", "0": "as fast as it goes"};
const ACTIVATIONS = ["relu", "tanh", "sigmoid", "linear"];  // nn.layers.ACTIVATIONS: "linear" is the sum itself
const $ = (id) => document.getElementById(id);

const state = {
  arch: null,  // the model's shape: architecture(hidden, activation)
  parameters: CONFIG.start.parameters.slice(),
  gradients: null,  // the last batch's, for the weights' hover
  learningRate: CONFIG.start.learningRate,
  batchSize: CONFIG.start.batchSize,
  seed: CONFIG.start.seed,
  rng: PythonRandom(CONFIG.start.seed),  // the batch order, as fit's random.Random(seed)
  epoch: 0,
  playing: false,
  speed: 1,  // epochs per animation frame; 0: as many as FRAME_MS allow
  history: [],  // per epoch: {train, test} losses
  scores: null,  // {train: {loss, accuracy}, test: {...}}
  grid: null,  // every neuron's activation at every cell: grid[neuron][cell]
  selected: null,  // the neuron shown in the inspector: {layer, index}
  sample: 0,
  message: {text: "", error: false},
  architectureMessage: "",
};

const architecture = () => state.arch;

// --- the model: nn.MLP(2, [...hidden, 1], activation) as the twin's graph --------------------------------------

function makeArchitecture(hidden, activation) {
  // Where each neuron's parameters are in nn.MLP.parameters(), and their named_parameters() names.
  const sizes = [2, ...hidden, 1], layout = [], names = [];
  sizes.slice(1).forEach((width, l) => {
    const layer = [];
    for (let j = 0; j < width; j++) {
      const weights = [];
      for (let i = 0; i < sizes[l]; i++) {
        weights.push(names.length);
        names.push(`layers.${l}.neurons.${j}.weights.${i}`);
      }
      layer.push({weights, bias: names.length});
      names.push(`layers.${l}.neurons.${j}.bias`);
    }
    layout.push(layer);
  });
  return {hidden: hidden.slice(), activation, layout, names};
}

function model(leaves, inputs, activations) {
  // nn.MLP.__call__ on plain numbers, as nn.fit calls it: each Neuron's w1*x1 + w2*x2 + ... + b in that order,
  // the activation between layers, the last layer linear. `activations` (if given) receives every neuron's output.
  let outputs = inputs;
  const layers = state.arch.layout, activation = state.arch.activation;
  layers.forEach((layer, l) => {
    outputs = layer.map((neuron) => {
      let total = twin.apply("*", leaves[neuron.weights[0]], outputs[0]);
      for (let i = 1; i < neuron.weights.length; i++) {
        total = twin.apply("+", total, twin.apply("*", leaves[neuron.weights[i]], outputs[i]));
      }
      total = twin.apply("+", total, leaves[neuron.bias]);
      const out = l === layers.length - 1 || activation === "linear" ? total : twin.apply(activation, total);
      if (activations) activations.push(out);
      return out;
    });
  });
  return outputs[0];
}

function sampleLoss(score, target) {
  // nn.playground.binary_hinge_loss: hinge_loss([score], [label]) = relu(1 - label * score) / 1, label = 2t - 1.
  const label = 2 * target - 1;
  return twin.apply("/", twin.apply("relu", twin.apply("-", 1, twin.apply("*", label, score))), 1);
}

// --- training: nn.fit's loop, nn.SGD's step --------------------------------------------------------------

function startingParameters(arch, seed) {
  // nn.MLP(2, [...hidden, 1], seed=seed): each neuron's weights uniform in [-1, 1], in order; biases 0.
  const rng = PythonRandom(seed), numbers = new Array(arch.names.length).fill(0);
  for (const layer of arch.layout) {
    for (const neuron of layer) {
      for (const k of neuron.weights) numbers[k] = rng.uniform(-1, 1);
      numbers[neuron.bias] = 0.0;
    }
  }
  return numbers;
}

function trainEpoch() {
  const train = CONFIG.train, order = state.rng.shuffle([...train.keys()]);
  for (let start = 0; start < order.length; start += state.batchSize) {
    const batch = order.slice(start, start + state.batchSize);
    // nn.fit's eager step: zero_grad() (fresh leaves), the batch's mean loss ((l1 + l2) + ...) / B, backward().
    const leaves = state.parameters.map(twin.leaf);
    let total = null;
    for (const i of batch) {
      const [x1, x2, target] = train[i], loss = sampleLoss(model(leaves, [x1, x2]), target);
      total = total === null ? loss : twin.apply("+", total, loss);
    }
    twin.backward(twin.apply("/", total, batch.length));
    // SGD: w - lr * grad.
    state.gradients = leaves.map((leaf) => leaf.grad);
    state.parameters = state.parameters.map((w, k) => w - state.learningRate * state.gradients[k]);
  }
  state.epoch += 1;
  measure();
  state.history.push({train: state.scores.train.loss, test: state.scores.test.loss});
}

function evaluate(points) {  // nn.evaluate: the model under no_grad()
  const leaves = state.parameters.map(twin.leaf);
  let total = 0, correct = 0;
  twin.noGrad(() => {
    for (const [x1, x2, target] of points) {
      const score = model(leaves, [x1, x2]);
      total += sampleLoss(score, target).data;
      correct += (score.data > 0) === (target === 1) ? 1 : 0;
    }
  });
  return {loss: total / points.length, accuracy: correct / points.length};
}

function measure() {
  state.scores = {train: evaluate(CONFIG.train), test: evaluate(CONFIG.test)};
  state.grid = null;
}

function heatmaps() {
  // Every neuron's activation over the plane, cell by cell.
  if (state.grid) return state.grid;
  const [x0, x1, y0, y1] = CONFIG.extent, leaves = state.parameters.map(twin.leaf);
  const count = architecture().layout.reduce((n, layer) => n + layer.length, 0);
  const grid = Array.from({length: count + 2}, () => new Float64Array(GRID * GRID));
  for (let row = 0; row < GRID; row++) {
    const y = y1 - (y1 - y0) * (row + 0.5) / GRID;
    for (let col = 0; col < GRID; col++) {
      const x = x0 + (x1 - x0) * (col + 0.5) / GRID, cell = row * GRID + col, activations = [];
      twin.noGrad(() => model(leaves, [x, y], activations));
      grid[0][cell] = x;
      grid[1][cell] = y;
      for (let n = 0; n < count; n++) grid[n + 2][cell] = activations[n].data;
    }
  }
  state.grid = grid;
  return grid;
}

// --- colours -------------------------------------------------------------------------------------------------

function colour(t) {  // t in [-1, 1]: orange for negative, white at 0, blue for positive
  const a = Math.min(1, Math.abs(t)), [r, g, b] = t < 0 ? [232, 134, 58] : [47, 127, 193];
  return [255 + (r - 255) * a, 255 + (g - 255) * a, 255 + (b - 255) * a];
}

function paint(canvas, values, scale) {
  const context = canvas.getContext("2d"), image = context.createImageData(GRID, GRID);
  values.forEach((v, cell) => {
    const [r, g, b] = colour(v / scale);
    image.data.set([r, g, b, 255], cell * 4);
  });
  const small = document.createElement("canvas");
  small.width = small.height = GRID;
  small.getContext("2d").putImageData(image, 0, 0);
  context.imageSmoothingEnabled = true;
  context.drawImage(small, 0, 0, canvas.width, canvas.height);
}

function spread(values) {
  let largest = 0;
  for (const v of values) largest = Math.max(largest, Math.abs(v));
  return largest || 1;
}

// --- views ---------------------------------------------------------------------------------------------------

function columns() {  // the network's columns: the inputs, each layer; a neuron is {layer, index, aux}
  const result = [[{layer: -1, index: 0, aux: 0, name: "x1"}, {layer: -1, index: 1, aux: 1, name: "x2"}]];
  let aux = 2;
  architecture().layout.forEach((layer, l) => {
    result.push(layer.map((_, j) => ({layer: l, index: j, aux: aux++})));
  });
  return result;
}

function geometry() {
  const cols = columns(), width = $("network").clientWidth || 600;
  const tallest = Math.max(...cols.map((c) => c.length));
  const step = width / cols.length, size = Math.max(24, Math.min(72, step * 0.5, 480 / tallest));
  const height = tallest * (size + 10) + 24;
  const place = cols.map((col, c) => col.map((neuron, j) => ({
    ...neuron, size,
    x: step * (c + 0.5) - size / 2,
    y: 20 + (height - 20 - col.length * (size + 10)) / 2 + j * (size + 10),
  })));
  return {place, width, height, step};
}

function buildNetwork() {  // the elements, made once per architecture; renderNetwork updates them
  const box = $("network"), svg = $("weights");
  box.querySelectorAll(".neuron, .layer-label").forEach((e) => e.remove());
  svg.replaceChildren();
  const {place, height, step} = geometry();
  box.style.height = `${height}px`;
  place.forEach((col, c) => {
    const label = document.createElement("div");
    label.className = "layer-label";
    label.style.left = `${step * (c + 0.5)}px`;
    label.textContent = c === 0 ? "inputs" : c === place.length - 1 ? "output" : `layer ${c} (${architecture().activation})`;
    box.appendChild(label);
    for (const n of col) {
      const canvas = document.createElement("canvas");
      canvas.className = "neuron";
      canvas.width = canvas.height = GRID;
      Object.assign(canvas.style, {left: `${n.x}px`, top: `${n.y}px`, width: `${n.size}px`, height: `${n.size}px`});
      canvas.dataset.layer = n.layer;
      canvas.dataset.index = n.index;
      canvas.title = n.layer < 0 ? `input ${n.name}` : `layer ${n.layer + 1}, neuron ${n.index + 1}: click for its numbers`;
      canvas.addEventListener("click", () => { state.selected = {layer: n.layer, index: n.index}; render(); });
      box.appendChild(canvas);
    }
  });
  architecture().layout.forEach((layer, l) => layer.forEach((neuron, j) => neuron.weights.forEach((k, i) => {
    const from = place[l][i], to = place[l + 1][j];
    const line = document.createElementNS("http://www.w3.org/2000/svg", "line");
    line.setAttribute("x1", from.x + from.size);
    line.setAttribute("y1", from.y + from.size / 2);
    line.setAttribute("x2", to.x);
    line.setAttribute("y2", to.y + to.size / 2);
    line.dataset.parameter = k;
    line.appendChild(document.createElementNS("http://www.w3.org/2000/svg", "title"));
    svg.appendChild(line);
  })));
}

function weightText(k) {
  const grad = state.gradients ? state.gradients[k] : null;
  return `${architecture().names[k]} = ${fixed(state.parameters[k], 4)}, gradient ` +
    (grad === null ? "not computed yet (train a step)" : fixed(grad, 5));
}

function showWeight(k) { $("weight-info").textContent = weightText(k); }

function renderNetwork() {
  const grid = heatmaps();
  for (const canvas of $("network").querySelectorAll(".neuron")) {
    const layer = Number(canvas.dataset.layer), index = Number(canvas.dataset.index);
    const values = grid[layer < 0 ? index : auxIndex(layer, index)];
    paint(canvas, values, spread(values));
    const selected = state.selected && state.selected.layer === layer && state.selected.index === index;
    canvas.classList.toggle("selected", Boolean(selected));
  }
  for (const line of $("weights").querySelectorAll("line")) {
    const w = state.parameters[Number(line.dataset.parameter)];
    line.setAttribute("stroke", w < 0 ? "var(--negative)" : "var(--positive)");
    line.setAttribute("stroke-width", Math.min(8, 0.5 + 2.5 * Math.abs(w)).toFixed(2));
    line.setAttribute("stroke-opacity", "0.75");
    line.firstChild.textContent = weightText(Number(line.dataset.parameter));
  }
}

function auxIndex(layer, index) {
  let position = 2;
  for (let l = 0; l < layer; l++) position += architecture().layout[l].length;
  return position + index;
}

function renderOutput() {
  const canvas = $("output"), context = canvas.getContext("2d");
  const grid = heatmaps(), values = grid[grid.length - 1];
  paint(canvas, values, 1);  // the hinge's margin: |score| >= 1 is full colour
  const [x0, x1, y0, y1] = CONFIG.extent;
  const at = (x, y) => [(x - x0) / (x1 - x0) * canvas.width, (y1 - y) / (y1 - y0) * canvas.height];
  for (const [points, outline] of [[CONFIG.train, "#fff"], [CONFIG.test, "#000"]]) {
    for (const [x, y, target] of points) {
      const [px, py] = at(x, y);
      context.beginPath();
      context.arc(px, py, 3.2, 0, 2 * Math.PI);
      context.fillStyle = target === 1 ? "#1d5f99" : "#c2601a";
      context.fill();
      context.strokeStyle = outline;
      context.lineWidth = 1;
      context.stroke();
    }
  }
}

function fixed(x, digits) { return Number.isFinite(x) ? x.toFixed(digits) : String(x); }
function percent(x) { return `${(100 * x).toFixed(1)}%`; }

function renderStats() {
  $("epoch").textContent = state.epoch;
  $("train-loss").textContent = fixed(state.scores.train.loss, 4);
  $("test-loss").textContent = fixed(state.scores.test.loss, 4);
  $("train-accuracy").textContent = percent(state.scores.train.accuracy);
  $("test-accuracy").textContent = percent(state.scores.test.accuracy);
}

function renderCurve() {
  const canvas = $("curve"), context = canvas.getContext("2d"), history = state.history;
  context.clearRect(0, 0, canvas.width, canvas.height);
  if (history.length < 2) return;
  const top = Math.max(...history.map((h) => Math.max(h.train, h.test)), 1e-9);
  for (const [key, ink] of [["train", "#1e293b"], ["test", "#e8863a"]]) {
    context.beginPath();
    history.forEach((h, e) => {
      const x = e / (history.length - 1) * canvas.width, y = canvas.height - h[key] / top * (canvas.height - 4);
      if (e) context.lineTo(x, y); else context.moveTo(x, y);
    });
    context.strokeStyle = ink;
    context.lineWidth = 1.5;
    context.stroke();
  }
}

function renderInspector() {
  // The selected neuron on one training sample: its output and its parameters' gradients (the twin's graph of
  // the sample's loss, and its backward()). The chain rule's last step, shown with those numbers: the bias
  // enters the neuron's sum z with local derivative 1, so d loss/d z is the bias's gradient, and a weight's
  // gradient is its input times d loss/d z.
  const box = $("inspector");
  if (!state.selected || state.selected.layer < 0) {
    box.innerHTML = state.selected ? "<p>An input: its value is the point's coordinate.</p>" :
      '<p class="hint">Click a neuron in the network.</p>';
    return;
  }
  const {layer, index} = state.selected, neuron = architecture().layout[layer][index];
  const [x1, x2, target] = CONFIG.train[state.sample];
  const leaves = state.parameters.map(twin.leaf), activations = [];
  const loss = sampleLoss(model(leaves, [x1, x2], activations), target);
  twin.backward(loss);
  const aux = activations.map((node) => node.data), value = loss.data, grads = leaves.map((leaf) => leaf.grad);
  const inputs = layer === 0 ? [x1, x2] : architecture().layout[layer - 1].map((_, i) => aux[auxIndex(layer - 1, i) - 2]);
  const dz = grads[neuron.bias], from = layer === 0 ? "x" : `h${layer}.`;
  const rows = neuron.weights.map((k, i) =>
    `<tr><td title="${architecture().names[k]}">w${i + 1}</td><td>${fixed(state.parameters[k], 4)}</td>` +
    `<td class="product">${from}${i + 1} × ∂L/∂z = ${fixed(inputs[i], 4)} × ${fixed(dz, 5)} = ${fixed(grads[k], 5)}</td></tr>`).join("");
  box.innerHTML =
    `<p><b>layer ${layer + 1}, neuron ${index + 1}</b> on training sample ${state.sample} ` +
    `(${fixed(x1, 3)}, ${fixed(x2, 3)}), class ${target}: output <b>${fixed(aux[auxIndex(layer, index) - 2], 5)}</b>, ` +
    `the sample's loss L = ${fixed(value, 5)}.</p>` +
    `<p>∂L/∂z = ${fixed(dz, 5)}: the gradient at the neuron's sum z = w·input + b (the bias's gradient: ∂z/∂b = 1).</p>` +
    `<table><tr><th>weight</th><th>value</th><th>∂L/∂w: the chain rule's product</th></tr>${rows}</table>`;
}

function renderControls() {
  $("play").textContent = state.playing ? "Pause" : "Play";
  $("play").setAttribute("aria-pressed", String(state.playing));
  $("learning-rate").value = String(state.learningRate);
  $("batch-size").value = String(state.batchSize);
  if (document.activeElement !== $("hidden")) $("hidden").value = architecture().hidden.join(",");
  $("architecture-message").textContent = state.architectureMessage;
  $("architecture-message").hidden = !state.architectureMessage;
  $("activation").value = architecture().activation;
  $("speed").value = String(state.speed);
}

function renderCheckpoint() {
  const message = $("checkpoint-message");
  message.textContent = state.message.text;
  message.classList.toggle("error", state.message.error);
}

function render() {
  renderControls();
  renderNetwork();
  renderOutput();
  renderStats();
  renderCurve();
  renderInspector();
  renderCheckpoint();
}

// --- checkpoints: nn.save's document, filled in; nn.load's checks, refused without a change ------------------

function checkpointDocument() {  // nn.save(model, path, optimizer=SGD(lr)): the document nn.load reads
  const arch = architecture(), parameters = {}, labels = {};
  arch.names.forEach((name, k) => { labels[name] = ""; parameters[name] = state.parameters[k]; });
  return {
    format: CONFIG.checkpoint.format,
    version: CONFIG.checkpoint.version,
    model: {
      type: "MLP",
      architecture: {n_inputs: 2, layer_sizes: [...arch.hidden, 1], activation: arch.activation, output_activation: "linear", bias: true},
      neuron_names: arch.layout.flat().map(() => ""),
      labels,
    },
    parameters,
    optimizer: {parameters: arch.names, state: {type: "SGD", lr: state.learningRate, momentum: 0.0, velocity: arch.names.map(() => 0.0)}},
  };
}

function exportCheckpoint() {
  const document_ = checkpointDocument();
  const text = JSON.stringify(document_, null, 1);
  $("checkpoint-text").value = text;
  const link = $("download");
  link.href = URL.createObjectURL(new Blob([text], {type: "application/json"}));
  link.hidden = false;
  state.message = {text: `Exported epoch ${state.epoch}: nn.load reads this file.`, error: false};
  render();
}

function readCheckpoint(text) {  // [architecture, parameters] or throws an Error saying what is wrong
  let saved;
  try { saved = JSON.parse(text); } catch (error) { throw new Error(`it is not JSON (${error.message})`); }
  if (!saved || saved.format !== "micro-autograd checkpoint") throw new Error("it is not a micro-autograd checkpoint");
  if (saved.version !== 1) throw new Error(`its version is ${saved.version}, this page reads version 1`);
  const model = saved.model || {}, shape = model.architecture || {};
  if (model.type !== "MLP") throw new Error(`it holds a ${model.type}, not an MLP`);
  const sizes = shape.layer_sizes;
  if (shape.n_inputs !== 2 || !Array.isArray(sizes) || sizes[sizes.length - 1] !== 1 ||
      shape.output_activation !== "linear" || shape.bias !== true) {
    throw new Error("its MLP is not one of 2 inputs, biases and one linear output");
  }
  if (!sizes.slice(0, -1).every((n) => Number.isInteger(n) && n >= 1)) throw new Error(`its layer sizes ${JSON.stringify(sizes)} are not whole numbers >= 1`);
  if (!ACTIVATIONS.includes(shape.activation)) throw new Error(`its activation ${JSON.stringify(shape.activation)} is not one of ${ACTIVATIONS.join(", ")}`);
  const arch = makeArchitecture(sizes.slice(0, -1), shape.activation);
  const names = arch.names, values = saved.parameters || {};
  const extra = Object.keys(values).filter((name) => !names.includes(name));
  if (extra.length) throw new Error(`it has parameters this model has not: ${extra.join(", ")}`);
  const numbers = names.map((name) => {
    const v = values[name];
    if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`parameter ${name} is ${JSON.stringify(v)}, not a finite number`);
    return v;
  });
  return [arch, numbers];
}

function importCheckpoint() {
  try {
    const [arch, numbers] = readCheckpoint($("checkpoint-text").value);
    state.arch = arch;
    state.architectureMessage = "";
    state.parameters = numbers;
    restart(false);
    buildNetwork();
    state.message = {text: "Loaded: the page now trains this model.", error: false};
  } catch (error) {
    state.message = {text: `Not loaded, the model is unchanged: ${error.message}.`, error: true};
  }
  render();
}

// --- controls --------------------------------------------------------------------------------------------

function restart(newWeights) {
  if (newWeights) state.parameters = startingParameters(architecture(), state.seed);
  state.rng = PythonRandom(state.seed);
  state.epoch = 0;
  state.history = [];
  state.gradients = null;
  state.selected = null;
  measure();
}

function parseHidden(text) {  // "8,8" as [8, 8]; "" or "none" as []; else throws an Error saying what is wrong
  const cleaned = text.trim().toLowerCase(), {layers, width} = CONFIG.limits;
  if (cleaned === "" || cleaned === "none") return [];
  const sizes = cleaned.split(",").map((part) => part.trim());
  if (!sizes.every((part) => /^[0-9]+$/.test(part))) throw new Error(`"${text}": give the hidden layers' sizes as whole numbers, e.g. 8,8`);
  const numbers = sizes.map(Number);
  if (numbers.length > layers || numbers.some((n) => n < 1 || n > width)) {
    throw new Error(`"${text}": at most ${layers} hidden layers of 1 to ${width} neurons each`);
  }
  return numbers;
}

function changeArchitecture() {
  let hidden;
  try {
    hidden = parseHidden($("hidden").value);
  } catch (error) {
    state.architectureMessage = `Not built, the model is unchanged: ${error.message}.`;
    render();
    return;
  }
  state.architectureMessage = "";
  state.arch = makeArchitecture(hidden, $("activation").value);
  restart(true);
  buildNetwork();
  render();
}

function frame() {
  if (!state.playing) return;
  const start = performance.now();
  let epochs = 0;
  do { trainEpoch(); epochs++; } while (state.speed ? epochs < state.speed : performance.now() - start < FRAME_MS);
  render();
  requestAnimationFrame(frame);
}

function options(select, values, label = String) {
  select.replaceChildren(...values.map((v) => new Option(label(v), String(v))));
}

function setUp() {
  state.arch = makeArchitecture(CONFIG.start.hidden, CONFIG.start.activation);
  const unique = (values) => [...new Set(values)];
  options($("learning-rate"), unique([...LEARNING_RATES, state.learningRate]).sort((a, b) => a - b));
  options($("batch-size"), unique([...BATCH_SIZES, state.batchSize]).sort((a, b) => a - b));
  options($("hidden-suggestions"), CONFIG.suggestions.map((h) => h.join(",")), (h) => h ? `[${h}]` : "none");
  options($("activation"), CONFIG.activations);
  options($("speed"), Object.keys(SPEEDS).sort((a, b) => (Number(a) || 1e9) - (Number(b) || 1e9)), (k) => SPEEDS[k]);
  $("speed").addEventListener("change", (e) => { state.speed = Number(e.target.value); render(); });
  options($("sample"), [...CONFIG.train.keys()], (k) => `${k} (class ${CONFIG.train[k][2]})`);
  $("play").addEventListener("click", () => {
    state.playing = !state.playing;
    render();
    if (state.playing) requestAnimationFrame(frame);
  });
  $("step").addEventListener("click", () => { trainEpoch(); render(); });
  $("reset").addEventListener("click", () => { restart(true); render(); });
  $("learning-rate").addEventListener("change", (e) => { state.learningRate = Number(e.target.value); render(); });
  $("batch-size").addEventListener("change", (e) => { state.batchSize = Number(e.target.value); render(); });
  $("hidden").addEventListener("change", changeArchitecture);
  $("activation").addEventListener("change", changeArchitecture);
  $("sample").addEventListener("change", (e) => { state.sample = Number(e.target.value); render(); });
  $("export").addEventListener("click", exportCheckpoint);
  $("import").addEventListener("click", importCheckpoint);
  document.addEventListener("keydown", (e) => {
    if (e.key === " " && e.target === document.body) { e.preventDefault(); $("play").click(); }
  });
  $("weights").addEventListener("mouseover", (e) => {
    if (e.target.dataset && e.target.dataset.parameter) showWeight(Number(e.target.dataset.parameter));
  });
  window.addEventListener("resize", () => { buildNetwork(); render(); });
  measure();
  buildNetwork();
  render();
}

setUp();
