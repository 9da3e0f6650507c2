/**
 * The backend buffer type and the three ways to make one (view, bufferFrom, asBuffer), on their own so that
 * the backend's interface and the modules it names (per-example.ts) share one brand without an import cycle.
 */
declare const backendBuffer: unique symbol;
/**
 * A buffer a backend allocated: a Float32Array or Float64Array branded at the type level, so that passing a
 * plain typed array (or a number[]) to a kernel is a compile error. The brand costs nothing at run time; a
 * buffer is still indexed, sliced and copied as the typed array it is. Views of one come from `view`, host
 * arrays over a backend's own memory become buffers through `asBuffer`.
 */
export type FloatArray = (Float32Array | Float64Array) & { readonly [backendBuffer]: true };

/** Elements [begin, end) of a backend buffer, sharing its memory: still a buffer of that backend. */
export function view(buffer: FloatArray, begin: number, end?: number): FloatArray;
export function view(buffer: Readonly<FloatArray>, begin: number, end?: number): Readonly<FloatArray>;
export function view(buffer: Readonly<FloatArray>, begin: number, end?: number): Readonly<FloatArray> {
  return buffer.subarray(begin, end) as unknown as FloatArray;
}

/** A buffer of `backend` holding a copy of values (rounded to the backend's dtype). */
export function bufferFrom(backend: { alloc(length: number): FloatArray }, values: ArrayLike<number>): FloatArray {
  const buffer = backend.alloc(values.length);
  buffer.set(values);
  return buffer;
}

/**
 * Declares a typed array a backend buffer. Only a backend's alloc (or code holding memory a backend
 * handed out, such as a view the wasm heap built over its own memory) may call it: a kernel of a fast
 * backend refuses arrays outside its memory at run time.
 */
export function asBuffer(array: Float32Array | Float64Array): FloatArray {
  return array as FloatArray;
}

