/**
 * Each image's list of nonzero pixels, made once per image set (the fast backend keeps it beside the set's
 * copy in memory): entries[starts[i] .. starts[i + 1]) are image i's nonzero pixels in ascending order, each
 * as (pixel << 8) | byte. The per-example step reads an image's list instead of scanning its bytes
 * (gatherInto in per-example.ts: the same entries in the same order).
 */

/** starts[0 .. count] (u32): the prefix sums of the images' nonzero byte counts; returns the total. */
export function nonzeroStarts(images: usize, count: i32, cols: i32, starts: usize): i32 {
  let total = 0;
  const zero = i8x16.splat(0);
  for (let i = 0; i < count; i++) {
    store<u32>(starts + (<usize>i << 2), total);
    const img = images + <usize>i * <usize>cols;
    let p = 0;
    for (; p + 16 <= cols; p += 16) total += popcnt(i8x16.bitmask(i8x16.ne(v128.load(img + <usize>p), zero)));
    for (; p < cols; p++) total += i32(load<u8>(img + <usize>p) != 0);
  }
  store<u32>(starts + (<usize>count << 2), total);
  return total;
}

/** entries (u32) of the images' nonzero pixels at the offsets nonzeroStarts wrote. */
export function nonzeroEntries(images: usize, count: i32, cols: i32, starts: usize, entries: usize): void {
  const zero = i8x16.splat(0);
  for (let i = 0; i < count; i++) {
    let e = entries + (<usize>load<u32>(starts + (<usize>i << 2)) << 2);
    const img = images + <usize>i * <usize>cols;
    let p = 0;
    for (; p + 16 <= cols; p += 16) {
      let mask = i8x16.bitmask(i8x16.ne(v128.load(img + <usize>p), zero));
      while (mask != 0) {
        const q = p + ctz(mask);
        mask &= mask - 1;
        store<u32>(e, (<u32>q << 8) | <u32>load<u8>(img + <usize>q));
        e += 4;
      }
    }
    for (; p < cols; p++) {
      const b = load<u8>(img + <usize>p);
      if (b != 0) {
        store<u32>(e, (<u32>p << 8) | <u32>b);
        e += 4;
      }
    }
  }
}
