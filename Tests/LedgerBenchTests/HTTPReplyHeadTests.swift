import Testing

@testable import LedgerBench

/// The load generator's reply parser (``HTTPReplyHead``): status and Content-Length on bytes.
@Suite struct HTTPReplyHeadTests {
    func parse(_ text: String) -> HTTPReplyHead.Parse {
        Array(text.utf8).withUnsafeBytes { HTTPReplyHead.parse($0) }
    }

    @Test func readsTheStatusTheHeadLengthAndTheContentLength() {
        let head =
            "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 612\r\n"
            + "Date: Mon, 30 Nov 2026 12:00:00 GMT\r\n\r\n"
        #expect(
            parse(head + "{\"index\":1}") == .head(.init(status: 202, headLength: head.utf8.count, contentLength: 612)))
        let problem =
            "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/problem+json\r\n"
            + "CONTENT-LENGTH:\t 7 \t\r\n\r\n"
        #expect(parse(problem) == .head(.init(status: 429, headLength: problem.utf8.count, contentLength: 7)))
        #expect(parse("HTTP/1.0 503\r\n\r\n") == .head(.init(status: 503, headLength: 16, contentLength: 0)))
    }

    @Test func aReplyWithoutContentLengthHasNoBody() {
        let head = "HTTP/1.1 204 No Content\r\nX-Content-Length: 99\r\nContent-Lengths: 5\r\n\r\n"
        #expect(parse(head) == .head(.init(status: 204, headLength: head.utf8.count, contentLength: 0)))
    }

    @Test func everyPrefixOfAHeadIsIncomplete() {
        let head = "HTTP/1.1 201 Created\r\nContent-Length: 10\r\n\r\n"
        let bytes = Array(head.utf8)
        for n in 0..<bytes.count {
            #expect(bytes[..<n].withUnsafeBytes { HTTPReplyHead.parse($0) } == .incomplete, "prefix \(n)")
        }
        #expect(parse(head).status == 201)
    }

    @Test(arguments: [
        "HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20x OK\r\n\r\n", "XTTP/1.1 200 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 099 Low\r\n\r\n", "HTTP/1.1  200 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\n", "\r\n\r\n",
    ])
    func refusesWhatIsNoReplyHead(_ text: String) {
        #expect(parse(text) == .malformed)
    }
}

extension HTTPReplyHead.Parse {
    /// The status of a parsed head, else nil.
    var status: Int? {
        if case .head(let h) = self { return h.status }
        return nil
    }
}
