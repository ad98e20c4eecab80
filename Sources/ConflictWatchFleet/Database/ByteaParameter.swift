import NIOCore
import PostgresNIO

/// Bytes bound as a `bytea` parameter straight from the array that holds them. Wrapped in a
/// `ByteBuffer` first, every summary an agent shipped was copied once more, tens of megabytes a
/// second while catching up. (The page faults of that copy did not go away with it: PostgresNIO's
/// bindings buffer now grows into fresh pages where the `ByteBuffer` did; perf, two runs each.)
struct ByteaParameter: PostgresNonThrowingEncodable {
    let bytes: [UInt8]

    static var psqlType: PostgresDataType { .bytea }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeBytes(bytes)
    }
}
