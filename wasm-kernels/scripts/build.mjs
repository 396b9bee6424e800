// Placeholder replaced by the kernels build (see wasm-kernels/README.md).
