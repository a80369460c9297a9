// Vitest setup file: every test file starts with the environment the worker started with.
// The suites run with `isolate: false` (one module graph per worker, so node-opcua and the edge
// are imported once, not once per file), and a file can leave variables behind: node-opcua-pki
// points OPENSSL_CONF and RANDFILE into the PKI folder of the simulator that made a certificate,
// a folder its test deletes, after which every `openssl` the next file runs fails; tests also
// set passwords for the runtime to read. Setup files run before each file, so this resets it.
const key = Symbol.for('twinline.test.startEnv');
const store = globalThis as unknown as Record<symbol, Record<string, string | undefined> | undefined>;
const startEnv = (store[key] ??= { ...process.env });

for (const name of Object.keys(process.env)) {
  if (!(name in startEnv)) delete process.env[name];
}
for (const [name, value] of Object.entries(startEnv)) {
  if (process.env[name] !== value) process.env[name] = value;
}
