/// Runs `body` on a copy of `bytes` in an allocation of exactly their size. The fuzzer's input
/// is one buffer, so a parser reading past the end of one line would read the next line
/// unnoticed; in an allocation of its own the first byte too far hits AddressSanitizer's red zone.
func withExactCopy<R>(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
    defer { copy.deallocate() }
    if bytes.count > 0 { copy.copyMemory(from: bytes) }
    return body(UnsafeRawBufferPointer(copy))
}
