extension UnsafeRawBufferPointer {
    /// Network-order reads at a byte offset the caller has bounds-checked.
    @inline(__always) func be16(_ at: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: at, as: UInt16.self))
    }

    @inline(__always) func be32(_ at: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }

    @inline(__always) func be64(_ at: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: at, as: UInt64.self))
    }

    @inline(__always) func le16(_ at: Int) -> UInt16 {
        UInt16(littleEndian: loadUnaligned(fromByteOffset: at, as: UInt16.self))
    }

    @inline(__always) func le32(_ at: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }
}
