import ConflictWatchStore

/// One daemon's silences as a `SilenceStore` for the API: read through the API's read-only
/// connections, written through the daemon's writer (a short transaction between two flushes),
/// both on Dispatch's threads. Without a writer the silences can be listed but not changed.
struct StoreSilences: SilenceStore {
    let reader: StoreReader
    let writer: StoreReader?

    func silences(includeExpired: Bool) async throws -> [Silence] {
        try await reader.read { try $0.silences(includeExpired: includeExpired) }
    }

    func silence(id: String) async throws -> Silence? {
        try await reader.read { try $0.silence(id: id) }
    }

    func addSilence(_ silence: Silence) async throws {
        guard let writer else { throw QueryRoutes.readOnlySilences }
        try await writer.read { try $0.addSilence(silence) }
    }

    func expireSilence(id: String) async throws -> Silence? {
        guard let writer else { throw QueryRoutes.readOnlySilences }
        return try await writer.read { try $0.expireSilence(id: id) }
    }
}
