// Python's random.Random(seed), in JavaScript: the same Mersenne Twister, seeded as CPython seeds it
// from an int, so the page shuffles its batches and draws its starting weights exactly as nn.fit and
// nn.MLP(seed=...) do. Not a formula of the model: the order samples come in, and where weights start.
function PythonRandom(seed) {
  const N = 624, mt = new Uint32Array(N);
  let index = N;
  function initGenrand(s) {
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }
  // CPython's random_seed: the int's absolute value as 32-bit words, least significant first.
  const key = [];
  for (let n = Math.abs(seed); ; n = Math.floor(n / 4294967296)) {
    key.push(n % 4294967296);
    if (n < 4294967296) break;
  }
  initGenrand(19650218);
  let i = 1, j = 0;
  for (let k = Math.max(N, key.length); k > 0; k--) {
    const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
    mt[i] = ((mt[i] ^ Math.imul(prev, 1664525)) + key[j] + j) >>> 0;
    i++; j++;
    if (i >= N) { mt[0] = mt[N - 1]; i = 1; }
    if (j >= key.length) j = 0;
  }
  for (let k = N - 1; k > 0; k--) {
    const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
    mt[i] = ((mt[i] ^ Math.imul(prev, 1566083941)) - i) >>> 0;
    i++;
    if (i >= N) { mt[0] = mt[N - 1]; i = 1; }
  }
  mt[0] = 0x80000000;

  function next32() {
    if (index >= N) {
      for (let k = 0; k < N; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
        mt[k] = mt[(k + 397) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      index = 0;
    }
    let y = mt[index++];
    y ^= y >>> 11;
    y = (y ^ ((y << 7) & 0x9d2c5680)) >>> 0;
    y = (y ^ ((y << 15) & 0xefc60000)) >>> 0;
    return (y ^ (y >>> 18)) >>> 0;
  }
  function random() {  // random.random(): 53 random bits
    const a = next32() >>> 5, b = next32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
  function below(n) {  // random._randbelow(n), for n < 2**32
    const bits = 32 - Math.clz32(n);
    let r = bits ? next32() >>> (32 - bits) : 0;
    while (r >= n) r = next32() >>> (32 - bits);
    return r;
  }
  return {
    random,
    uniform(a, b) { return a + (b - a) * random(); },
    shuffle(items) {  // random.shuffle, in place
      for (let k = items.length - 1; k > 0; k--) {
        const m = below(k + 1);
        [items[k], items[m]] = [items[m], items[k]];
      }
      return items;
    },
  };
}
