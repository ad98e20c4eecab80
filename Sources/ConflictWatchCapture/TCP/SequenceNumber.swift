/// TCP sequence arithmetic modulo 2³² (RFC 1982): the signed distance from `b` to `a`.
@inline(__always) func sequenceDistance(_ a: UInt32, _ b: UInt32) -> Int {
    Int(Int32(bitPattern: a &- b))
}
