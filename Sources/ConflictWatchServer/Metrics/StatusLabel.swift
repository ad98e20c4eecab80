/// The `status` label of `conflictwatch_responses_total`: bounded whatever the logs say. The
/// codes an operator of a write API acts on keep their number; any other code is folded into
/// its class, so at most about 25 series exist (the list, the model's conflict statuses, five
/// classes, `other` and `none`).
enum StatusLabel {
    static let exact: Set<Int> = [200, 201, 204, 304, 400, 401, 403, 404, 409, 412, 422, 423, 428, 429, 500, 502, 503, 504]

    static func label(_ code: Int, conflictStatuses: [Int]) -> String {
        if code == 0 { return "none" }
        if exact.contains(code) || conflictStatuses.contains(code) { return String(code) }
        if (100...599).contains(code) { return "\(code / 100)xx" }
        return "other"
    }

    static func fold(_ statuses: [Int: UInt64], conflictStatuses: [Int]) -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        for (code, n) in statuses { out[label(code, conflictStatuses: conflictStatuses), default: 0] &+= n }
        return out
    }
}
