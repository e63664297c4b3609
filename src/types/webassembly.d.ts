// The WebAssembly globals anirec uses (Node has them built in). TypeScript declares them only in
// its DOM and WebWorker libraries, which this Node project does not load, and @types/node 20 has
// no declarations for them; this is the small part the SIMD kernels need.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  function validate(bytes: Uint8Array): boolean;
}
