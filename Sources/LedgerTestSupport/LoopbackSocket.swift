import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// TCP connections to a server on 127.0.0.1, for the HTTP clients of the tests and of
/// `ledger-bench load` (nothing else is ever contacted).
package enum LoopbackSocket {
    /// A socket connected to `127.0.0.1:port` (30 s receive timeout, `TCP_NODELAY`), with its
    /// receive buffer set to `receiveBuffer` bytes first when given (a client that reads
    /// slowly). The caller closes it.
    package static func connect(port: Int, receiveBuffer: Int32? = nil) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw EventStreamTestClient.Failure(description: "socket: errno \(errno)") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let e = errno
            close(fd)
            throw EventStreamTestClient.Failure(description: "connect to port \(port): errno \(e)")
        }
        return fd
    }
}
