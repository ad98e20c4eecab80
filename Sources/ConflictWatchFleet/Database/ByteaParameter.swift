import NIOCore
import PostgresNIO

/// Bytes bound as a `bytea` parameter straight from the array that holds them. Wrapped in a
/// `ByteBuffer` first, every summary an agent shipped was copied once more into fresh memory:
/// tens of megabytes a second while catching up, each page faulted in on first touch (perf:
/// a third of the shipping's page faults).
struct ByteaParameter: PostgresNonThrowingEncodable {
    let bytes: [UInt8]

    static var psqlType: PostgresDataType { .bytea }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeBytes(bytes)
    }
}
