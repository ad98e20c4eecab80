import Hummingbird

/// An API failure as SPEC §9 shapes it: `{"error": {"message": "…"}}` with its status.
struct APIError: Error, HTTPResponseError {
    var status: HTTPResponse.Status
    var message: String
    var headers: HTTPFields = [:]

    static func badParameter(_ e: QueryParameterError) -> APIError { APIError(status: .badRequest, message: e.description) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(status: status, body: ErrorBody(error: .init(message: message)))
        response.headers.append(contentsOf: headers)
        return response
    }

    struct ErrorBody: Codable, Equatable {
        struct Message: Codable, Equatable { var message: String }
        var error: Message
    }
}
