import Hummingbird

/// API bodies through `QueryJSON`, so they are byte for byte what the CLI prints.
enum JSONResponse {
    static func make(status: HTTPResponse.Status = .ok, body: some Encodable) -> Response {
        let text = (try? QueryJSON.encode(body)) ?? "{\"error\": {\"message\": \"cannot encode the response\"}}\n"
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
