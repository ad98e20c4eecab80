/// What the HTTP layer tells `ConnectionTimeoutHandler`, which sits below it and sees bytes
/// only. Sent as outbound user events, which travel from the HTTP layer down to it.
enum ExchangeEvent: Sendable {
    case requestHeadReceived
    case responseEnded
}
