/// What an instance segment of a path is replaced by in its route: `{id}`, `{uuid}`, and so on.
package enum Placeholder: UInt8, Sendable, CaseIterable {
    case id, uuid, hex, token, date, email, variable

    package var text: StaticString {
        switch self {
        case .id: "{id}"
        case .uuid: "{uuid}"
        case .hex: "{hex}"
        case .token: "{token}"
        case .date: "{date}"
        case .email: "{email}"
        case .variable: "{var}"
        }
    }
}
